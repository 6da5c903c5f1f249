/** Small helpers for the bench orchestration (Node only). */

export function median(xs) {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The environment of every benchmark child: no AWS configuration from the machine (no shared
 * config/credentials files, no IMDS, no profile), so neither side does credential-chain I/O;
 * no Node warnings printed (the SDK's Node 20 support notice), identical for both sides.
 */
export function childEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_") && k !== "NODE_OPTIONS") env[k] = v;
  return {
    ...env,
    AWS_CONFIG_FILE: "/nonexistent/edge-sts-bench/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/edge-sts-bench/credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    NODE_NO_WARNINGS: "1",
  };
}
