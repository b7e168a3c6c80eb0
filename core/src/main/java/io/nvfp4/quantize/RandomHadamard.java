package io.nvfp4.quantize;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The 16-point random Hadamard transform of the NVFP4 training recipe (spec section 8): each group of
 * 16 consecutive elements along K becomes {@code H D x / 4}, with H the 16 x 16 Sylvester Hadamard
 * matrix and D a diagonal of random signs drawn from a seed. {@code H / 4} is orthonormal, so
 * rotating both operands of a product along K leaves {@code x . w} unchanged while spreading outliers
 * over their group; {@link #inverse} undoes {@link #forward} up to fp32 rounding of the butterflies.
 * The storage format is unchanged: a rotated tensor is quantized like any other.
 */
public final class RandomHadamard {
    /** Elements per transformed group. */
    public static final int GROUP = 16;

    private final long seed;
    private final float[] signs = new float[GROUP];

    /** The transform whose sign diagonal is drawn from {@code seed}. */
    public RandomHadamard(long seed) {
        this.seed = seed;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < GROUP; i++) {
            signs[i] = random.nextBoolean() ? 1f : -1f;
        }
    }

    /** The seed of the sign diagonal. */
    public long seed() {
        return seed;
    }

    /** Rotates {@code values[offset, offset + length)} in place; length must be a multiple of 16. */
    public void forward(float[] values, int offset, int length) {
        checkRange(values, offset, length);
        for (int g = offset; g < offset + length; g += GROUP) {
            for (int i = 0; i < GROUP; i++) {
                values[g + i] *= signs[i];
            }
            butterflies(values, g);
        }
    }

    /** Undoes {@link #forward} on {@code values[offset, offset + length)} in place. */
    public void inverse(float[] values, int offset, int length) {
        checkRange(values, offset, length);
        for (int g = offset; g < offset + length; g += GROUP) {
            butterflies(values, g);
            for (int i = 0; i < GROUP; i++) {
                values[g + i] *= signs[i];
            }
        }
    }

    /** A rotated copy of a row-major {@code rows x columns} matrix; columns must be a multiple of 16. */
    public float[] forwardRows(float[] values, int rows, int columns) {
        float[] out = copyChecked(values, rows, columns);
        for (int r = 0; r < rows; r++) {
            forward(out, r * columns, columns);
        }
        return out;
    }

    /** {@link #inverse} of every row of a row-major {@code rows x columns} matrix, as a copy. */
    public float[] inverseRows(float[] values, int rows, int columns) {
        float[] out = copyChecked(values, rows, columns);
        for (int r = 0; r < rows; r++) {
            inverse(out, r * columns, columns);
        }
        return out;
    }

    /** The fast Walsh-Hadamard transform of one group, then the exact scaling by 1/4. */
    private static void butterflies(float[] v, int at) {
        for (int half = 1; half < GROUP; half <<= 1) {
            for (int i = 0; i < GROUP; i += half << 1) {
                for (int j = i; j < i + half; j++) {
                    float a = v[at + j];
                    float b = v[at + j + half];
                    v[at + j] = a + b;
                    v[at + j + half] = a - b;
                }
            }
        }
        for (int i = 0; i < GROUP; i++) {
            v[at + i] *= 0.25f;
        }
    }

    private static void checkRange(float[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        if (length % GROUP != 0) {
            throw new IllegalArgumentException("the Hadamard transform works on groups of " + GROUP
                    + " elements; " + length + " is not a multiple");
        }
    }

    private static float[] copyChecked(float[] values, int rows, int columns) {
        if ((long) rows * columns != values.length) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " matrix needs " + (long) rows * columns
                    + " values, the array has " + values.length);
        }
        return values.clone();
    }

    @Override
    public String toString() {
        return "RandomHadamard[seed " + seed + "]";
    }
}
