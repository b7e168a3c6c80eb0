package io.nvfp4.quantize;

import io.nvfp4.format.ElementType;
import io.nvfp4.format.Ties;
import io.nvfp4.format.ZeroSign;

import java.util.Arrays;

/**
 * Unbiased stochastic rounding onto an element grid: a magnitude between grid neighbours lo and hi
 * rounds up with probability (|q| - lo) / (hi - lo). The random number of element (row, column) is a
 * hash of (seed, row, column) - a counter-based stream - so the bytes depend on the seed alone, not on
 * the order or the threads that quantize.
 */
final class StochasticRounding {
    private StochasticRounding() {}

    /** A uniform double in [0, 1) for element (row, column) of the stream {@code seed} (SplitMix64 finaliser). */
    static double uniform(long seed, long row, long column) {
        long z = seed + 0x9E3779B97F4A7C15L * (row * 0x100000001B3L + column + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1p-53;
    }

    /** The code of {@code q} rounded stochastically with the uniform draw {@code u}, saturating at the maximum. */
    static int encode(ElementType type, float q, double u, ZeroSign zeroSign) {
        float a = Math.abs(q);
        if (!(a < type.maxNormal())) { // beyond the grid, or NaN (modelopt's zero scale): nearest rules apply
            return type.encode(q, Ties.EVEN, zeroSign);
        }
        float[] grid = Grids.of(type);
        int i = Arrays.binarySearch(grid, a);
        float value;
        if (i >= 0) {
            value = grid[i];
        } else {
            float lo = grid[-i - 2];
            float hi = grid[-i - 1];
            value = u < ((double) a - lo) / ((double) hi - lo) ? hi : lo;
        }
        int magnitude = type.encode(value); // a grid value: nearest encoding returns its code
        boolean negative = switch (zeroSign) {
            case SIGN_BIT -> Float.floatToRawIntBits(q) < 0;
            case NEGATIVE -> q < 0;
            case POSITIVE -> q < 0 && magnitude != 0;
        };
        if (!negative) {
            return magnitude;
        }
        return type == ElementType.INT8 ? -magnitude & 0xFF : magnitude | type.signMask();
    }

    /** The sorted non-negative values each element type writes. */
    private static final class Grids {
        private static final float[][] GRIDS = new float[ElementType.values().length][];

        static {
            for (ElementType t : ElementType.values()) {
                float[] table = t.decodeTable();
                GRIDS[t.ordinal()] = toSortedMagnitudes(table, t.maxNormal());
            }
        }

        static float[] of(ElementType type) {
            return GRIDS[type.ordinal()];
        }

        private static float[] toSortedMagnitudes(float[] table, float max) {
            float[] m = new float[table.length];
            int n = 0;
            for (float v : table) {
                if (v >= 0 && v <= max && Float.floatToRawIntBits(v) >= 0) {
                    m[n++] = v;
                }
            }
            float[] sorted = Arrays.copyOf(m, n);
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    sorted[distinct++] = sorted[i];
                }
            }
            return Arrays.copyOf(sorted, distinct);
        }
    }
}
