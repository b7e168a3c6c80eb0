package io.nvfp4.benchmarks;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** What the benchmarks share: parameter parsing, seeded data, weights and their copies. */
final class Workloads {
    private Workloads() {}

    /** The backend named by a benchmark parameter, with a message that says how to get it. */
    static Backend backend(String name) {
        try {
            return Backends.named(name);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalStateException("backend '" + name + "' is not available here (" + e.getMessage()
                    + "); choose others with -p backend=...", e);
        }
    }

    /** {@code "NxK"} as {N, K}. */
    static int[] shape(String shape) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("a shape is NxK, e.g. 4096x4096; got " + shape);
        }
        return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    }

    /** The quantizer a format is benchmarked with: NVFP4 as modelopt exports it, MXFP4 as OCP defines it. */
    static Quantizer quantizer(String format) {
        return switch (BlockFormat.valueOf(format)) {
            case NVFP4 -> Quantizer.nvfp4(Nvfp4Recipe.MODELOPT);
            case MXFP4 -> Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP);
            default -> throw new IllegalArgumentException("benchmarked formats are NVFP4 and MXFP4, got " + format);
        };
    }

    /** {@code rows x columns} standard-normal floats, the same for the same seed, made on all cores. */
    static float[] normal(int rows, int columns, long seed) {
        float[] values = new float[Math.multiplyExact(rows, columns)];
        IntStream.range(0, rows).parallel().forEach(r -> {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + r);
            for (int c = 0; c < columns; c++) {
                values[r * columns + c] = (float) random.nextGaussian();
            }
        });
        return values;
    }

    /** An N x K weight of {@code format} made from normal data by {@code backend}. */
    static QuantizedMatrix weight(Backend backend, String format, int n, int k) {
        return backend.quantize(quantizer(format), FloatMatrix.of(normal(n, k, 1), n, k));
    }

    /**
     * At least two copies of {@code w} in separate native memory, together at least {@code totalBytes}:
     * cycling through them makes every GEMV read its weight from memory, not from a cache.
     */
    static List<QuantizedMatrix> copies(QuantizedMatrix w, long totalBytes, Arena arena) {
        int count = (int) Math.max(2, Math.ceilDiv(totalBytes, w.byteSize()));
        List<QuantizedMatrix> copies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MemorySegment codes = arena.allocate(w.codes().byteSize(), 64).copyFrom(w.codes());
            MemorySegment scales = arena.allocate(w.scales().byteSize(), 64).copyFrom(w.scales());
            copies.add(QuantizedMatrix.wrap(w.format(), w.recipe(), w.rows(), w.columns(), codes, scales,
                    w.scaleLayout(), w.tensorScale()));
        }
        return copies;
    }
}
