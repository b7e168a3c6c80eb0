package io.nvfp4.benchmarks;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.tensor.DType;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;

/**
 * Turns JMH results into the roofline table: each kernel as GFLOP/s (2 M N K / time), GB/s (weight
 * bytes read / time; for quantization, input read plus codes and scales written) and the fraction of
 * its roofline measured in the same run: the streaming read for GEMV and quantization, the fp32 FMA
 * probe for GEMM (M &gt; 1). Of the two kernels of each probe the faster is the roofline.
 */
final class RooflineReport {
    private static final String HEADER = "%-13s %-6s %-7s %-11s %4s %3s %11s %9s %8s %8s  %s%n";
    private static final String ROW = "%-13s %-6s %-7s %-11s %4d %3d %11.4f %9.2f %8.2f %8.3f  %s%n";

    private static final String SCALAR_BACKEND = "scalar";

    private RooflineReport() {}

    /** A result reduced to what the report needs. */
    private record Result(String benchmark, BenchmarkParams params, double seconds) {
        String param(String name) {
            return params.getParam(name);
        }

        int intParam(String name) {
            return Integer.parseInt(param(name));
        }
    }

    /** Prints the probes, then one row per kernel result. */
    static void print(Collection<RunResult> runs, PrintStream out) {
        List<Result> results = new ArrayList<>();
        for (RunResult run : runs) {
            String name = run.getParams().getBenchmark();
            String simple = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            results.add(new Result(simple, run.getParams(),
                    secondsPerOp(run.getPrimaryResult().getScore(), run.getPrimaryResult().getScoreUnit())));
        }
        Map<Integer, Double> memory = new TreeMap<>();
        Map<Integer, Double> fma = new TreeMap<>();
        out.println("roofline probes (the faster kernel of each is the roofline):");
        for (Result r : results) {
            if (r.benchmark().startsWith("MemoryRoofline")) {
                double gbps = ((double) r.intParam("mib") * (1 << 20)) / r.seconds() / 1e9;
                memory.merge(r.intParam("threads"), gbps, Math::max);
                out.printf(Locale.ROOT, "  stream read  %-6s threads %d: %8.2f GB/s%n", r.param("impl"), r.intParam("threads"), gbps);
            } else if (r.benchmark().startsWith("FmaRoofline")) {
                double gflops = 2.0 * ProbeKernels.LANE_FMAS_PER_THREAD * r.intParam("threads") / r.seconds() / 1e9;
                fma.merge(r.intParam("threads"), gflops, Math::max);
                out.printf(Locale.ROOT, "  fp32 FMA     %-6s threads %d: %8.2f GFLOP/s%n", r.param("impl"), r.intParam("threads"), gflops);
            }
        }
        out.println();
        out.printf(Locale.ROOT, HEADER, "op", "format", "backend", "N x K", "M", "thr", "ms/op", "GFLOP/s", "GB/s",
                "fraction", "of roofline");
        results.sort(Comparator.comparing(Result::benchmark).thenComparing(r -> r.params().id()));
        List<Result> scaleRules = new ArrayList<>();
        for (Result r : results) {
            if (r.benchmark().startsWith("ScaleRule")) {
                scaleRules.add(r);
            } else if (!r.benchmark().startsWith("MemoryRoofline") && !r.benchmark().startsWith("FmaRoofline")) {
                row(r, memory, fma, out);
            }
        }
        out.println();
        out.println("GEMV at M = 1 in 'matmul' keeps one weight hot (it may fit a cache); 'gemv-stream' cycles through"
                + " copies far beyond the last-level cache. quantize: the GFLOP/s column holds G values/s.");
        if (!scaleRules.isEmpty()) {
            scaleRules(scaleRules, out);
        }
    }

    /**
     * The NVFP4 scale rules' quantize throughput (ScaleRuleBenchmark), each backend against the scalar
     * reference of the same rule in the same run.
     */
    private static void scaleRules(List<Result> results, PrintStream out) {
        out.println();
        out.println("NVFP4 scale rules, quantize from fp32 (modelopt recipe):");
        out.printf(Locale.ROOT, "%-14s %-7s %-11s %11s %10s %10s%n", "rule", "backend", "N x K", "ms/op", "G values/s",
                "vs scalar");
        for (Result r : results) {
            int[] nk = Workloads.shape(r.param("shape"));
            double values = (double) nk[0] * nk[1];
            String ratio = results.stream()
                    .filter(s -> s.param("backend").equals(SCALAR_BACKEND) && s.param("scaleRule").equals(r.param("scaleRule"))
                            && s.param("shape").equals(r.param("shape")))
                    .findFirst().map(s -> String.format(Locale.ROOT, "%.1fx", s.seconds() / r.seconds())).orElse("-");
            out.printf(Locale.ROOT, "%-14s %-7s %-11s %11.2f %10.4f %10s%n", r.param("scaleRule"), r.param("backend"),
                    r.param("shape"), r.seconds() * 1e3, values / r.seconds() / 1e9, ratio);
        }
    }

    private static void row(Result r, Map<Integer, Double> memory, Map<Integer, Double> fma, PrintStream out) {
        int[] nk = Workloads.shape(r.param("shape"));
        double n = nk[0];
        double k = nk[1];
        BlockFormat format = BlockFormat.valueOf(r.param("format"));
        double weightBytes = n * k * format.bytesPerWeight();
        String op;
        int m;
        int threads;
        double gflops;
        double gbps;
        boolean memoryBound;
        if (r.benchmark().startsWith("Quantize")) {
            op = "quantize-" + r.param("input").toLowerCase(Locale.ROOT);
            m = 0;
            threads = Math.min(Runtime.getRuntime().availableProcessors(), ForkJoinPool.getCommonPoolParallelism() + 1);
            gflops = n * k / r.seconds() / 1e9;
            gbps = (n * k * DType.valueOf(r.param("input")).byteSize() + weightBytes) / r.seconds() / 1e9;
            memoryBound = true;
        } else {
            boolean stream = r.benchmark().startsWith("StreamingGemv");
            m = stream ? 1 : r.intParam("m");
            op = stream ? "gemv-stream" : m == 1 ? "matmul" : "gemm";
            threads = r.intParam("threads");
            gflops = 2.0 * m * n * k / r.seconds() / 1e9;
            gbps = weightBytes / r.seconds() / 1e9;
            memoryBound = m == 1;
        }
        Double roof = (memoryBound ? memory : fma).get(threads);
        double fraction = roof == null ? Double.NaN : (memoryBound ? gbps : gflops) / roof;
        String which = roof == null ? "(no probe for " + threads + " threads in this run)"
                : memoryBound ? String.format(Locale.ROOT, "stream read %.1f GB/s", roof)
                : String.format(Locale.ROOT, "fp32 FMA %.1f GFLOP/s", roof);
        out.printf(Locale.ROOT, ROW, op, format, r.param("backend"), r.param("shape"), m, threads, r.seconds() * 1e3,
                gflops, gbps, fraction, which);
    }

    /** Seconds per operation from a JMH score in time per op ({@code ms/op}) or ops per time ({@code ops/s}). */
    static double secondsPerOp(double score, String unit) {
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("unknown JMH score unit " + unit);
        }
        if (parts[1].equals("op")) {
            return score * seconds(parts[0]);
        }
        if (parts[0].equals("ops")) {
            return seconds(parts[1]) / score;
        }
        throw new IllegalArgumentException("unknown JMH score unit " + unit);
    }

    private static double seconds(String unit) {
        return switch (unit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unknown JMH time unit " + unit);
        };
    }
}
