import { postgresS3Stores } from '../../helpers/stores-under-test.js';
import { scaleOutScenario } from './scale-out-scenario.js';

// The scale-out acceptance scenario on the real PostgreSQL (127.0.0.1:5432, database test, a
// fresh schema) and an S3-compatible server (s3rver on a loopback port).
scaleOutScenario('PostgreSQL + S3', postgresS3Stores);
