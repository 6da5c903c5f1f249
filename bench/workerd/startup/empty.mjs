/** Start-up baseline: a Worker that answers "ok" and imports nothing. */
export default {
  fetch() {
    return new Response("ok");
  },
};
