-- wrk script: the bare Django view, with the same percentile output as log_progress.lua.
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f requests=%d errors=%d rps=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.requests / (summary.duration / 1e6)))
end
