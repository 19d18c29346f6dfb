import { localStores } from '../../helpers/stores-under-test.js';
import { scaleOutScenario } from './scale-out-scenario.js';

// The scenario on the embedded stores reached by URL (SQLite file + local folder).
scaleOutScenario('SQLite + local folder', localStores);
