package io.nvfp4.cli;

import java.util.SplittableRandom;

/**
 * Seeded synthetic weight distributions for the demo: the same values for the same seed on every
 * machine. Heavy tails (Laplace, Student-t with 3 degrees of freedom, outliers) are where scale
 * rules differ most.
 */
enum SyntheticWeights {
    /** Standard normal. */
    NORMAL,
    /** Laplace with unit scale: exponential tails. */
    LAPLACE,
    /** Student-t, 3 degrees of freedom: polynomial tails, like many trained weights. */
    STUDENT_T3,
    /** Uniform on [-1, 1). */
    UNIFORM,
    /** Standard normal with one value in 500 multiplied by 50. */
    OUTLIERS;

    /** {@code n} values drawn from this distribution with {@code seed}. */
    float[] generate(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) draw(random);
        }
        return v;
    }

    private double draw(SplittableRandom random) {
        return switch (this) {
            case NORMAL -> random.nextGaussian();
            case LAPLACE -> {
                double u = random.nextDouble() - 0.5;
                yield -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
            }
            case STUDENT_T3 -> {
                double chi2 = 0;
                for (int j = 0; j < 3; j++) {
                    double g = random.nextGaussian();
                    chi2 += g * g;
                }
                yield random.nextGaussian() / Math.sqrt(chi2 / 3);
            }
            case UNIFORM -> random.nextDouble(-1, 1);
            case OUTLIERS -> random.nextGaussian() * (random.nextInt(500) == 0 ? 50 : 1);
        };
    }

    /** The command-line spelling: lower case with dashes. */
    String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
