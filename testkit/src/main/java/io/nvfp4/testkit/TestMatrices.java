package io.nvfp4.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded, row-major test data shaped like real weights and activations, with the cases that break
 * fast kernels mixed in. The same seed gives the same values on every machine.
 *
 * <p>Weights are made 16 columns at a time (an NVFP4 block; an MX block holds two such stretches, so
 * MX blocks also mix magnitudes). Each stretch is one of: normal values scaled by 2^-e with e in
 * [0, 8] (most), an all-zero stretch with negative zeros, a tiny one far below the tensor's largest
 * value (NVFP4 block scales underflow), a stretch of fp32 subnormals, one with an outlier 64 times
 * its neighbours, a constant one, and a rounding-tie stretch: {@code 6 * 2^e} followed by E2M1
 * midpoints times {@code 2^e}, so MX elements land exactly halfway between two codes.
 */
public final class TestMatrices {
    /** E2M1 midpoints: halfway between neighbouring codes 0, 0.5, 1, 1.5, 2, 3, 4, 6. */
    private static final float[] E2M1_MIDPOINTS = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f};
    private static final int STRETCH = 16;

    private TestMatrices() {}

    /**
     * Weight-like data whose products with {@link #activations} stay far from fp32 overflow: every
     * magnitude is below 2^12.
     */
    public static float[] weights(int rows, int columns, long seed) {
        return generate(rows, columns, seed, false);
    }

    /**
     * Like {@link #weights}, and also stretches scaled by up to 2^100 and down to 2^-40 on top of the
     * tiny and subnormal ones: for quantization, where every finite float is valid input.
     */
    public static float[] extremes(int rows, int columns, long seed) {
        return generate(rows, columns, seed, true);
    }

    /**
     * Activation-like data: standard normal values with exact zeros, negative zeros, outliers 16
     * times larger and rare fp32 subnormals.
     */
    public static float[] activations(int rows, int columns, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[size(rows, columns)];
        for (int i = 0; i < v.length; i++) {
            int kind = random.nextInt(512);
            double x = random.nextGaussian();
            if (kind < 6) {
                x = kind < 3 ? 0.0 : -0.0;
            } else if (kind < 10) {
                x *= 16;
            } else if (kind == 10) {
                x = Math.scalb(x, -140); // an fp32 subnormal
            }
            v[i] = (float) x;
        }
        return v;
    }

    private static float[] generate(int rows, int columns, long seed, boolean extreme) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[size(rows, columns)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c += STRETCH) {
                int end = Math.min(columns, c + STRETCH);
                fillStretch(v, r * columns + c, r * columns + end, random, extreme);
            }
        }
        return v;
    }

    private static void fillStretch(float[] v, int from, int to, SplittableRandom random, boolean extreme) {
        int kind = random.nextInt(extreme ? 40 : 32);
        switch (kind) {
            case 0 -> {
                for (int i = from; i < to; i++) {
                    v[i] = random.nextBoolean() ? 0f : -0f;
                }
            }
            case 1 -> gaussian(v, from, to, random, -40 - random.nextInt(31));
            case 2 -> {
                for (int i = from; i < to; i++) {
                    v[i] = (float) Math.scalb(random.nextGaussian(), -135); // subnormal
                }
            }
            case 3 -> {
                gaussian(v, from, to, random, -random.nextInt(4));
                int at = from + random.nextInt(to - from);
                v[at] *= 64;
            }
            case 4 -> Arrays.fill(v, from, to, (float) random.nextGaussian());
            case 5 -> ties(v, from, to, random);
            default -> {
                if (kind >= 32) {
                    int e = kind < 36 ? 60 + random.nextInt(41) : -random.nextInt(41);
                    gaussian(v, from, to, random, e);
                } else {
                    gaussian(v, from, to, random, -random.nextInt(9));
                }
            }
        }
        for (int i = from; i < to; i++) {
            if (random.nextInt(64) == 0) {
                v[i] = random.nextBoolean() ? 0f : -0f;
            }
        }
    }

    private static void gaussian(float[] v, int from, int to, SplittableRandom random, int exponent) {
        for (int i = from; i < to; i++) {
            v[i] = (float) Math.scalb(random.nextGaussian(), exponent);
        }
    }

    /** {@code ±6 * 2^e}, then E2M1 midpoints times 2^e with random signs. */
    private static void ties(float[] v, int from, int to, SplittableRandom random) {
        int e = random.nextInt(9) - 4;
        v[from] = Math.scalb(random.nextBoolean() ? 6f : -6f, e);
        for (int i = from + 1; i < to; i++) {
            float m = E2M1_MIDPOINTS[random.nextInt(E2M1_MIDPOINTS.length)];
            v[i] = Math.scalb(random.nextBoolean() ? m : -m, e);
        }
    }

    private static int size(int rows, int columns) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + rows + " x " + columns);
        }
        return Math.multiplyExact(rows, columns);
    }
}
