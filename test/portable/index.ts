/**
 * Every portable test file, imported once. Keep this a plain list: test/packaging.test.ts fails
 * when a test/portable/*.test.ts file is missing here (or listed but absent).
 */
import "./harness.test.ts";
import "./wire.test.ts";
import "./cache.test.ts";
import "./hono.test.ts";
import "./operations.test.ts";
import "./emulator.test.ts";
import "./middleware-e2e.test.ts";
import "./serve.test.ts";
import "./regions.test.ts";
import "./stores.test.ts";
import "./leak.test.ts";
import "./verify.test.ts";
