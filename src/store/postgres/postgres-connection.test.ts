import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { adminQuery, dropSchema, freshSchemaUrl, ifPostgresIsUp } from '../../../test/helpers/postgres-schemas.js';
import { SluiceError } from '../../core/errors.js';
import { PostgresConnection, type Tx } from './postgres-connection.js';

/** The server ends this session, as a failover or `pg_terminate_backend` does. */
const terminate = (pid: number) => adminQuery('SELECT pg_terminate_backend($1)', [pid]);
const backendPid = async (tx: Tx) => Number((await tx.exec('SELECT pg_backend_pid() AS pid'))[0]!.pid);

async function withConnection(fn: (conn: PostgresConnection) => Promise<void>): Promise<void> {
  const { url, schema } = freshSchemaUrl();
  const conn = new PostgresConnection(url);
  try {
    await conn.migrate();
    await conn.write((tx) => tx.exec('CREATE TABLE probe (n int)'));
    await fn(conn);
  } finally {
    await conn.close();
    await dropSchema(schema);
  }
}

function registerSuites(): void {
  describe('PostgresConnection when the server ends a session', () => {
    it('a connection killed while checked out between statements neither crashes the process nor loses the transaction', () =>
      withConnection(async (conn) => {
        let tries = 0;
        await conn.write(async (tx) => {
          if (++tries === 1) {
            await terminate(await backendPid(tx));
            await delay(200); // the FATAL message arrives while no query runs: pg emits 'error' on the client
          }
          await tx.exec('INSERT INTO probe VALUES (1)');
        });
        assert.equal(tries, 2, 'ran again on a fresh connection');
        assert.deepEqual(await conn.read((tx) => tx.exec('SELECT count(*)::int AS n FROM probe')), [{ n: 1 }]);
      }));

    it('an autocommit statement killed mid-flight is not run again (it may have applied): STORE_UNAVAILABLE', () =>
      withConnection(async (conn) => {
        let tries = 0;
        const call = conn.autocommit(async (tx) => {
          tries++;
          const pid = await backendPid(tx);
          setTimeout(() => void terminate(pid), 200);
          await tx.exec('SELECT pg_sleep(5)');
        });
        await assert.rejects(
          call,
          (err: unknown) =>
            err instanceof SluiceError &&
            err.code === 'STORE_UNAVAILABLE' &&
            /SQLSTATE 57P01|terminat/.test(err.message),
        );
        assert.equal(tries, 1);
        assert.deepEqual(await conn.read((tx) => tx.exec('SELECT 1 AS ok')), [{ ok: 1 }], 'the pool works after it');
      }));

    it('a repeatable autocommit call killed mid-flight runs again on a fresh connection', () =>
      withConnection(async (conn) => {
        let tries = 0;
        const pids: number[] = [];
        await conn.autocommit(
          async (tx) => {
            pids.push(await backendPid(tx));
            if (++tries === 1) {
              setTimeout(() => void terminate(pids[0]!), 200);
              await tx.exec('SELECT pg_sleep(5)');
            }
          },
          { repeatable: true },
        );
        assert.equal(tries, 2);
        assert.notEqual(pids[0], pids[1]);
      }));
  });
}

await ifPostgresIsUp(registerSuites);
