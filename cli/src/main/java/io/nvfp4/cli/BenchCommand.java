package io.nvfp4.cli;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.format.BlockFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * {@code nvfp4 bench}: a short run of the benchmarks (the benchmarks module has the JMH version) on
 * one backend, with the memory and FMA roofline probes measured in the same JVM: quantization (fp32
 * and bf16 in), GEMV with weights streamed from memory, and GEMM, each as GFLOP/s, GB/s and a
 * fraction of its roofline. A table by default, one JSON object per row with {@code --json}.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Measure quantize, GEMV (weights streamed from memory) and GEMM on a backend, with the memory"
                + " and fp32-FMA roofline probes in the same JVM; print GFLOP/s, GB/s and the fraction of the"
                + " roofline of each. Warm-up, then the median of --reps timed repetitions; well under a minute"
                + " with the defaults on two cores.",
                "Rows: roofline-memory, roofline-fma (the probes; fraction 1), quantize-f32/-bf16 (gflops holds"
                        + " G values/s; m = 0), gemv (M = 1), gemm (M > 1). Probes have format '-' and m = n = k = 0.",
                "The probes are plain Java (no incubator module); a fraction above 1 means a probe fell short of the"
                        + " machine's peak, which the benchmarks module's Vector API probes measure."})
final class BenchCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to measure (default: the one chosen for this JVM, as -Dnvfp4.backend or priority decide).")
    private String backendName;

    @Option(names = "--shape", paramLabel = "NxK", defaultValue = "4096x4096",
            description = "Weight shape, rows x columns (default: ${DEFAULT-VALUE}).")
    private String shape;

    @Option(names = "--m", paramLabel = "M", split = ",", defaultValue = "1,128",
            description = "Activation rows: 1 is GEMV, larger values GEMM (default: ${DEFAULT-VALUE}).")
    private List<Integer> ms;

    @Option(names = "--threads", paramLabel = "T", split = ",",
            description = "Compute pool sizes (default: 1 and the number of processors).")
    private List<Integer> threads;

    @Option(names = "--formats", paramLabel = "FORMAT", split = ",", defaultValue = "NVFP4,MXFP4",
            description = "NVFP4 (modelopt recipe) and/or MXFP4 (OCP) (default: ${DEFAULT-VALUE}).")
    private List<BlockFormat> formats;

    @Option(names = "--stream-mib", paramLabel = "MIB", defaultValue = "128",
            description = "MiB of weight copies the GEMV cycles through, beyond the last-level cache (default: ${DEFAULT-VALUE}).")
    private int streamMib;

    @Option(names = "--reps", paramLabel = "N", defaultValue = "5",
            description = "Timed repetitions per row; the median is reported (default: ${DEFAULT-VALUE}).")
    private int reps;

    @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "300",
            description = "Least warm-up time per row (default: ${DEFAULT-VALUE}).")
    private int warmupMs;

    @Option(names = "--batch-ms", paramLabel = "MS", defaultValue = "60",
            description = "Least time of one timed repetition; fast calls are batched (default: ${DEFAULT-VALUE}).")
    private int batchMs;

    @Option(names = "--json", description = "One JSON object per row on stdout (fields op, format, m, n, k, threads,"
            + " gflops, gbps, roofline_fraction); the context goes to stderr.")
    private boolean json;

    @Override
    public void run() {
        BenchMeasurements plan = plan();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter context = json ? spec.commandLine().getErr() : out;
        Backend b = plan.backend();
        context.printf(Locale.ROOT, "nvfp4 bench: backend %s (priority %d); JDK %s (%s); %d processors; %s%n", b.name(),
                b.priority(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), processor());
        context.printf(Locale.ROOT, "weights %d x %d; GEMV cycles through %d MiB of copies; median of %d repetitions"
                + " after warm-up; roofline probes in plain Java, this JVM%n", plan.n(), plan.k(), streamMib,
                plan.timer().reps());
        context.flush();
        List<BenchRow> rows = plan.run();
        if (!json) {
            out.println();
            out.println(BenchRow.TABLE_HEADER);
        }
        for (BenchRow row : rows) {
            out.println(json ? row.json() : row.tableLine());
        }
        if (!json) {
            out.println();
            out.println("gemv: weights streamed from memory, fraction of the streaming read; gemm: fraction of the FMA"
                    + " probe; quantize: GFLOP/s column is G values/s, GB/s counts input read and output written.");
            out.println("The probes are plain Java that C2 vectorizes; the benchmarks module (JMH) also runs Vector API"
                    + " probes, which can be faster: where they are, the fractions here read high.");
            long above = rows.stream().filter(r -> r.rooflineFraction() > 1).count();
            if (above > 0) {
                out.println(above + " row(s) above their probe: the plain-Java probe fell short of this machine's peak"
                        + " here; take those fractions from the benchmarks module.");
            }
        }
        out.flush();
    }

    /** Validates the options (usage errors exit with 2) and resolves the backend. */
    private BenchMeasurements plan() {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        int n;
        int k;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            n = Integer.parseInt(parts[0].trim());
            k = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw usage("--shape is NxK, e.g. 4096x4096; got '" + shape + "'");
        }
        if (n < 1 || k < 1 || (long) n * k > Integer.MAX_VALUE - 8) {
            throw usage("--shape " + shape + " must be positive and at most 2^31 - 9 elements");
        }
        long heapNeed = (long) n * k * Float.BYTES * 2; // the fp32 input, and room for the backend's work
        if (heapNeed > Runtime.getRuntime().maxMemory()) {
            throw usage("--shape " + shape + " needs about " + (heapNeed >> 20) + " MiB of heap, this JVM has "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; raise -Xmx (NVFP4_JAVA_OPTS for ./nvfp4)");
        }
        List<Integer> pools = threads == null ? defaultThreads() : threads;
        for (List<Integer> list : List.of(ms, pools)) {
            if (list.isEmpty() || list.stream().anyMatch(v -> v < 1)) {
                throw usage("--m and --threads take positive numbers, got " + ms + " and " + pools);
            }
        }
        if (formats.stream().anyMatch(f -> f != BlockFormat.NVFP4 && f != BlockFormat.MXFP4)) {
            throw usage("--formats takes NVFP4 and MXFP4, got " + formats);
        }
        if (streamMib < 1 || reps < 1 || warmupMs < 0 || batchMs < 0) {
            throw usage("--stream-mib and --reps must be positive, --warmup-ms and --batch-ms not negative; got "
                    + streamMib + ", " + reps + ", " + warmupMs + " and " + batchMs);
        }
        return new BenchMeasurements(backend(), n, k, List.copyOf(new TreeSet<>(formats)),
                List.copyOf(new TreeSet<>(ms)), List.copyOf(new TreeSet<>(pools)), (long) streamMib << 20,
                new BenchTimer(warmupMs * 1_000_000L, batchMs * 1_000_000L, reps));
    }

    private Backend backend() {
        if (backendName == null) {
            return Backends.get();
        }
        try {
            return Backends.named(backendName);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw usage("--backend: " + e.getMessage());
        }
    }

    private static List<Integer> defaultThreads() {
        List<Integer> t = new ArrayList<>(List.of(1));
        int processors = Runtime.getRuntime().availableProcessors();
        if (processors > 1) {
            t.add(processors);
        }
        return t;
    }

    /** The CPU's model name where Linux tells it, else the architecture. */
    private static String processor() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall through
        }
        return System.getProperty("os.arch");
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
