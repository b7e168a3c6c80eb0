package io.nvfp4.testkit;

import java.util.SplittableRandom;

/**
 * The value distributions of {@link Tensors}, each with location 0 and scale 1 (multiply by
 * {@link TensorArbitrary#scale(double)}): the light-tailed cases a quantizer handles easily and the
 * heavy-tailed ones real weights look like.
 */
public enum Distribution {
    /** Standard normal N(0, 1). */
    NORMAL,
    /** Laplace with scale b = 1 (variance 2): heavier tails than the normal, like many weight matrices. */
    LAPLACE,
    /** Student's t with 3 degrees of freedom: very heavy tails (infinite kurtosis), block maxima far above the rest. */
    STUDENT_T3,
    /** Uniform on [-1, 1): no tails at all, every block maximum close to 1. */
    UNIFORM;

    /** One sample from this distribution. */
    double sample(SplittableRandom random) {
        return switch (this) {
            case NORMAL -> gaussian(random);
            case LAPLACE -> {
                double u = random.nextDouble() - 0.5; // [-0.5, 0.5)
                yield -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
            }
            case STUDENT_T3 -> {
                double z = gaussian(random);
                double a = gaussian(random), b = gaussian(random), c = gaussian(random);
                double chi2 = a * a + b * b + c * c;
                yield chi2 == 0 ? z : z / Math.sqrt(chi2 / 3);
            }
            case UNIFORM -> 2 * random.nextDouble() - 1;
        };
    }

    private static double gaussian(SplittableRandom random) {
        return random.nextGaussian();
    }
}
