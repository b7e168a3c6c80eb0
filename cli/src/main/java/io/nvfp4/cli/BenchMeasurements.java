package io.nvfp4.cli;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.format.BF16;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;

/**
 * The measurements of {@code nvfp4 bench}, in order: the roofline probes for every thread count, then
 * per format quantization (fp32 and bf16 input), GEMV with the weight streamed from memory (cycling
 * through copies whose total is {@code streamBytes}) and GEMM (one prepared weight) at each M &gt; 1,
 * then the probes again: each roofline is the better of its two measurements, so that a probe that
 * ran while the machine was busy does not make the kernels look better than they are.
 *
 * @param backend     the backend measured
 * @param n           weight rows
 * @param k           weight columns
 * @param formats     NVFP4 (modelopt recipe) and/or MXFP4 (OCP)
 * @param ms          activation rows: 1 is the streamed GEMV, each larger value a GEMM
 * @param threads     compute pool sizes
 * @param streamBytes total bytes of the weight copies the GEMV cycles through (and the memory probe reads)
 * @param timer       how each row is timed
 */
record BenchMeasurements(Backend backend, int n, int k, List<BlockFormat> formats, List<Integer> ms,
                         List<Integer> threads, long streamBytes, BenchTimer timer) {
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Threads a quantization runs on: the common fork-join pool plus the calling thread. */
    static int quantizeThreads() {
        return Math.min(Runtime.getRuntime().availableProcessors(), ForkJoinPool.getCommonPoolParallelism() + 1);
    }

    /** Copies of a weight of {@code weightBytes} the GEMV cycles through (at least one). */
    long copies(long weightBytes) {
        return Math.max(1, Math.ceilDiv(streamBytes, weightBytes));
    }

    /** Runs everything (see the class comment) and returns the rows: the probes first, then the kernels. */
    List<BenchRow> run() {
        float[] values = normal(n, k, 42);
        FloatMatrix f32 = FloatMatrix.of(values, n, k);
        FloatMatrix bf16 = bf16(values);
        List<QuantizedMatrix> weights = new ArrayList<>();
        long probeBytes = 0;
        for (BlockFormat format : formats) {
            QuantizedMatrix w = backend.quantize(quantizer(format), f32);
            weights.add(w);
            probeBytes = Math.max(probeBytes, copies(w.byteSize()) * w.byteSize());
        }
        SortedSet<Integer> probeThreads = new TreeSet<>(threads);
        probeThreads.add(quantizeThreads());
        Map<Integer, Double> memory = new TreeMap<>();
        Map<Integer, Double> fma = new TreeMap<>();
        probe(probeThreads, probeBytes, memory, fma);
        List<Kernel> kernels = new ArrayList<>();
        for (QuantizedMatrix w : weights) {
            quantize(w, f32, bf16, kernels);
            if (ms.contains(1)) {
                gemv(w, kernels);
            }
            for (int m : ms) {
                if (m > 1) {
                    gemm(w, m, kernels);
                }
            }
        }
        probe(probeThreads, probeBytes, memory, fma); // again: the roofline is the best of before and after
        List<BenchRow> rows = new ArrayList<>();
        for (int t : probeThreads) {
            rows.add(new BenchRow("roofline-memory", "-", 0, 0, 0, t, 0, memory.get(t), 1,
                    "streaming read of " + (probeBytes >> 20) + " MiB"));
            rows.add(new BenchRow("roofline-fma", "-", 0, 0, 0, t, fma.get(t), 0, 1, "fp32 FMA, independent chains"));
        }
        for (Kernel kernel : kernels) {
            rows.add(kernel.row(kernel.memoryBound() ? memory.get(kernel.threads()) : fma.get(kernel.threads())));
        }
        return rows;
    }

    /** A measured kernel, before its roofline is known. */
    private record Kernel(String op, QuantizedMatrix w, int m, int threads, double gflops, double gbps,
                          boolean memoryBound) {
        BenchRow row(double roof) {
            String of = memoryBound ? String.format(Locale.ROOT, "stream read %.1f GB/s", roof)
                    : String.format(Locale.ROOT, "fp32 FMA %.1f GFLOP/s", roof);
            return new BenchRow(op, w.format().name(), m, w.rows(), w.columns(), threads, gflops, gbps,
                    (memoryBound ? gbps : gflops) / roof, of);
        }
    }

    /** Measures both probes on every thread count, keeping the best result seen per count. */
    private void probe(SortedSet<Integer> probeThreads, long bytes, Map<Integer, Double> memory,
                       Map<Integer, Double> fma) {
        for (int t : probeThreads) {
            memory.merge(t, RooflineProbes.streamReadGbps(bytes, t, timer), Math::max);
            fma.merge(t, RooflineProbes.fmaGflops(t, timer), Math::max);
        }
    }

    private void quantize(QuantizedMatrix w, FloatMatrix f32, FloatMatrix bf16, List<Kernel> out) {
        Quantizer quantizer = quantizer(w.format());
        for (FloatMatrix input : List.of(f32, bf16)) {
            double s = timer.measure(() -> backend.quantize(quantizer, input)).median();
            double bytes = (double) n * k * input.dtype().byteSize() + w.byteSize();
            out.add(new Kernel("quantize-" + input.dtype().name().toLowerCase(Locale.ROOT), w, 0, quantizeThreads(),
                    (double) n * k / s / 1e9, bytes / s / 1e9, true));
        }
    }

    private void gemv(QuantizedMatrix w, List<Kernel> out) {
        try (Arena arena = Arena.ofShared()) {
            List<PreparedWeight> prepared = new ArrayList<>();
            for (long i = 0; i < copies(w.byteSize()); i++) {
                prepared.add(backend.prepare(i == 0 ? w : copy(w, arena)));
            }
            FloatMatrix x = FloatMatrix.of(normal(1, k, 7), 1, k);
            float[] y = new float[n];
            int[] next = {0};
            for (int t : threads) {
                try (ComputePool pool = ComputePool.create(t)) {
                    double s = timer.measure(() -> {
                        backend.matmul(prepared.get(next[0]), x, y, pool);
                        next[0] = (next[0] + 1) % prepared.size();
                    }).median();
                    out.add(new Kernel("gemv", w, 1, t, 2.0 * n * k / s / 1e9, w.byteSize() / s / 1e9, true));
                }
            }
            prepared.forEach(PreparedWeight::close);
        }
    }

    private void gemm(QuantizedMatrix w, int m, List<Kernel> out) {
        FloatMatrix x = FloatMatrix.of(normal(m, k, 9), m, k);
        float[] y = new float[Math.multiplyExact(m, n)];
        try (PreparedWeight prepared = backend.prepare(w)) {
            for (int t : threads) {
                try (ComputePool pool = ComputePool.create(t)) {
                    double s = timer.measure(() -> backend.matmul(prepared, x, y, pool)).median();
                    out.add(new Kernel("gemm", w, m, t, 2.0 * m * n * k / s / 1e9, w.byteSize() / s / 1e9, false));
                }
            }
        }
    }

    /** The quantizer a format is measured with: NVFP4 as modelopt exports it, MXFP4 as OCP defines it. */
    static Quantizer quantizer(BlockFormat format) {
        return format == BlockFormat.NVFP4 ? Quantizer.nvfp4(Nvfp4Recipe.MODELOPT) : Quantizer.mx(format, MxRecipe.OCP);
    }

    private static QuantizedMatrix copy(QuantizedMatrix w, Arena arena) {
        MemorySegment codes = arena.allocate(w.codes().byteSize(), 64).copyFrom(w.codes());
        MemorySegment scales = arena.allocate(w.scales().byteSize(), 64).copyFrom(w.scales());
        return QuantizedMatrix.wrap(w.format(), w.recipe(), w.rows(), w.columns(), codes, scales, w.scaleLayout(),
                w.tensorScale());
    }

    /** {@code values} (n x k) rounded to bf16, in native memory as a checkpoint tensor is. */
    private FloatMatrix bf16(float[] values) {
        MemorySegment data = Arena.ofAuto().allocate(2L * values.length, 64);
        for (int i = 0; i < values.length; i++) {
            data.setAtIndex(U16_LE, i, BF16.fromFloat(values[i]));
        }
        return FloatMatrix.of(data, DType.BF16, n, k);
    }

    private static float[] normal(int rows, int columns, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[Math.multiplyExact(rows, columns)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
