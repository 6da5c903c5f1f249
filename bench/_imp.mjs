const t0 = performance.now();
const which = (typeof Deno!=="undefined"?"deno":typeof Bun!=="undefined"?"bun":"node");
const m = process.argv[process.argv.length-1];
await import(m === "edge" ? "./.out/dist/index.js" : m);
console.log(which, m, (performance.now()-t0).toFixed(1));
