/**
 * The pipeline's pieces, bundled by bench/run.mjs into bench/.out/stages-lib.js for bench/stages.mjs
 * (dependencies external). Internal modules: not part of the public API.
 */
export { validateInput } from "../../src/wire/validate.ts";
export { encodeForm } from "../../src/wire/query.ts";
export { API_VERSION } from "../../src/wire/operation.ts";
export { readBody } from "../../src/wire/read-body.ts";
export { loadXmlReader, parseXmlDocument } from "../../src/wire/xml.ts";
export { readResult } from "../../src/wire/response.ts";
export { assumeRoleWithWebIdentity } from "../../src/operations/assume-role-with-web-identity.ts";
