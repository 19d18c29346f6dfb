// Runs the CLI from source (through tsx) the way bin/sluice.js runs it from dist.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';
const { main } = await import('../../src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
