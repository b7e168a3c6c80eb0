package io.nvfp4.quantize;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.SplittableRandom;

/** Seeded test matrices shaped like weights: normal values whose magnitude varies block to block. */
record Samples(int rows, int columns, float[] values, long seed) {

    /**
     * Rows 1..6, columns 1..130 (ragged tails included), each 16-column stretch scaled by 2^e with
     * e in [-spread, 0]; a few exact zeros and outliers. With spread <= 8 every NVFP4 block scale
     * stays an E4M3 normal (block amax / tensor amax >= 2^-8 * small).
     */
    static Arbitrary<Samples> weights(int spread) {
        return Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 130),
                Arbitraries.longs()).as((r, c, seed) -> generate(r, c, seed, spread));
    }

    static Samples generate(int rows, int columns, long seed, int spread) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            float blockScale = 1;
            for (int c = 0; c < columns; c++) {
                if (c % 16 == 0) {
                    blockScale = (float) Math.scalb(1.0, -random.nextInt(spread + 1));
                }
                double x = random.nextGaussian() * blockScale;
                int kind = random.nextInt(64);
                if (kind == 0) {
                    x = 0;
                } else if (kind == 1) {
                    x *= 8; // an outlier
                }
                v[r * columns + c] = (float) x;
            }
        }
        return new Samples(rows, columns, v, seed);
    }

    @Override
    public String toString() {
        return rows + " x " + columns + " seed " + seed;
    }
}
