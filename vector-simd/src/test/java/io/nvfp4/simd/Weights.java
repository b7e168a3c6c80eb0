package io.nvfp4.simd;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.SplittableRandom;

/**
 * Seeded test matrices whose blocks exercise the quantizers' corner cases: normal weights at varied
 * magnitudes, all-zero blocks, tiny values (down to fp32 subnormals), outliers, exact powers of two,
 * blocks of exact E2M1 midpoints (on the scale where the block maximum maps to 6), and blocks far
 * below the tensor amax, whose NVFP4 scales are E4M3 subnormals or underflow.
 */
record Weights(int rows, int columns, float[] values, long seed) {

    /** Rows 1..maxRows, columns 1..maxColumns (ragged tails, lengths that are no vector multiple). */
    static Arbitrary<Weights> of(int maxRows, int maxColumns) {
        return Combinators.combine(Arbitraries.integers().between(1, maxRows),
                Arbitraries.integers().between(1, maxColumns), Arbitraries.longs()).as(Weights::generate);
    }

    static Weights generate(int rows, int columns, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[rows * columns];
        int exponent = random.nextInt(-20, 21); // the tensor's own magnitude: 6 * 2^exponent at most
        float unit = Math.scalb(1f, exponent);
        float[] midpoints = {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f, 2f, 2.5f, 3f, 3.5f, 4f, 5f};
        for (int r = 0; r < rows; r++) {
            int kind = 0;
            float blockUnit = unit;
            for (int c = 0; c < columns; c++) {
                if (c % 16 == 0) {
                    kind = random.nextInt(10);
                    blockUnit = unit * Math.scalb(1f, -random.nextInt(0, 9));
                }
                double x = switch (kind) {
                    case 0 -> 0;
                    case 1 -> random.nextGaussian() * Math.scalb(1.0, -random.nextInt(100, 150)); // tiny, subnormal
                    case 2 -> random.nextGaussian() * blockUnit * (random.nextInt(8) == 0 ? 40 : 1); // outliers
                    case 3 -> (random.nextBoolean() ? 1 : -1) * Math.scalb(blockUnit, random.nextInt(-3, 3));
                    case 4 -> (c % 16 == 0 ? 6 : midpoints[random.nextInt(midpoints.length)])
                            * (random.nextBoolean() ? 1 : -1) * blockUnit;
                    case 5 -> random.nextGaussian() * unit * Math.scalb(1.0, -random.nextInt(8, 20)); // tiny scales
                    case 6 -> random.nextBoolean() ? -0.0 : random.nextGaussian() * 1e-3 * blockUnit;
                    default -> random.nextGaussian() * blockUnit;
                };
                v[r * columns + c] = (float) x;
            }
        }
        if (random.nextInt(4) == 0) {
            v[random.nextInt(v.length)] = 6 * unit; // a tensor amax that maps midpoints exactly
        }
        return new Weights(rows, columns, v, seed);
    }

    /** Activations: normal values with a few zeros and large ones. */
    static float[] activations(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(16);
            v[i] = kind == 0 ? 0f : (float) (random.nextGaussian() * (kind == 1 ? 100 : 1));
        }
        return v;
    }

    @Override
    public String toString() {
        return rows + " x " + columns + " seed " + seed;
    }
}
