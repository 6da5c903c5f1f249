/**
 * The stages of one AssumeRoleWithWebIdentity, each a function doing that stage once. Shared by
 * bench/stages.mjs (Node, Deno, Bun) and the workerd bench Worker (the same stages inside workerd).
 * `S` is bench/.out/stages-lib.js (the pipeline's pieces), its XML reader loaded (`await S.loadXmlReader()`);
 * `fx` the fixtures (body, headers, input).
 */
export function makeStages(S, { xml, headers, input }) {
  const op = S.assumeRoleWithWebIdentity;
  const { "content-length": _, ...unsized } = headers;
  const url = "https://sts.eu-west-1.amazonaws.com/";
  const body = S.encodeForm(op.action, S.API_VERSION, op.serialize(S.validateInput(op, input)));
  const reqHeaders = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const live = new AbortController().signal;
  const response = new Response("", { status: 200, headers });
  const parsed = S.readResult(xml, response, op.action, [input.webIdentityToken]);
  if (!parsed.result) throw new Error("stages: the fixture has no result element");
  return {
    "validate (valibot) + form encoding": () => S.encodeForm(op.action, S.API_VERSION, op.serialize(S.validateInput(op, input))),
    "AbortController + setTimeout/clearTimeout (per-attempt limit)": () => {
      const c = new AbortController();
      clearTimeout(setTimeout(() => c.abort(), 10_000));
    },
    "new Request(url, { …, signal }) (what fetch(new Request(…)) paid; fetch(url, init) skips it)": () => new Request(url, { method: "POST", headers: reqHeaders, body, signal: live }),
    "new Response(xml, { headers }) (the stub's work)": () => new Response(xml, { status: 200, headers }),
    "Response + res.text() (declared length: the fast path)": () => S.readBody(new Response(xml, { status: 200, headers }), op.action, live),
    "Response + streaming reader (no length)": () => S.readBody(new Response(xml, { status: 200, headers: unsized }), op.action, live),
    "XML parse (xmldom 0.9 reader + DOM, five XML entities)": () => S.parseXmlDocument(xml),
    "result reading (readResult incl. XML parse + operation.parse)": () => op.parse(S.readResult(xml, response, op.action, [input.webIdentityToken]).result),
    "operation.parse alone (from a parsed tree)": () => op.parse(parsed.result),
  };
}
