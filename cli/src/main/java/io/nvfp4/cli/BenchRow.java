package io.nvfp4.cli;

import java.util.Locale;

/**
 * One result of {@code nvfp4 bench}: a kernel or a roofline probe, its speed and the fraction of its
 * roofline it reaches. {@link #json()} writes exactly the fields {@code op, format, m, n, k, threads,
 * gflops, gbps, roofline_fraction}.
 *
 * @param op               {@code gemv} (M = 1, weights streamed from memory), {@code gemm} (M &gt; 1),
 *                         {@code quantize-f32}, {@code quantize-bf16}, {@code roofline-memory} or
 *                         {@code roofline-fma}
 * @param format           NVFP4 or MXFP4; {@code -} for the probes
 * @param m                activation rows; 0 for quantization and the probes
 * @param n                weight rows (N); 0 for the probes
 * @param k                weight columns (K); 0 for the probes
 * @param threads          threads the work ran on, the caller included
 * @param gflops           GFLOP/s, 2 M N K / time; for quantization G values/s; 0 for the memory probe
 * @param gbps             GB/s of weight bytes read (quantization: input read plus output written); 0
 *                         for the FMA probe
 * @param rooflineFraction the fraction of the roofline: the streaming read for GEMV and quantization,
 *                         the FMA probe for GEMM; 1 for the probes themselves
 * @param roofline         what the fraction is of, for the table
 */
record BenchRow(String op, String format, int m, long n, long k, int threads, double gflops, double gbps,
                double rooflineFraction, String roofline) {

    static final String TABLE_HEADER = String.format(Locale.ROOT, "%-15s %-6s %5s %6s %6s %3s %9s %8s %9s  %s",
            "op", "format", "M", "N", "K", "thr", "GFLOP/s", "GB/s", "fraction", "of roofline");

    /** The row as one JSON object. */
    String json() {
        return new JsonLine().put("op", op).put("format", format).put("m", m).put("n", n).put("k", k)
                .put("threads", threads).put("gflops", gflops).put("gbps", gbps)
                .put("roofline_fraction", rooflineFraction).toString();
    }

    /** The row as a line of the table under {@link #TABLE_HEADER}. */
    String tableLine() {
        return String.format(Locale.ROOT, "%-15s %-6s %5d %6d %6d %3d %9.2f %8.2f %9.3f  %s", op, format, m, n, k,
                threads, gflops, gbps, rooflineFraction, roofline);
    }
}
