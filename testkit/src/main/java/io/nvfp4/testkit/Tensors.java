package io.nvfp4.testkit;

/**
 * jqwik arbitraries of fp32 tensors for property tests of quantization: seeded values from a
 * {@link Distribution}, of a given or random shape, with the hard cases as modifiers (outliers, zero
 * blocks, blocks whose NVFP4 scale is an E4M3 subnormal, bf16-representable values).
 *
 * <pre>{@code
 * @Provide
 * Arbitrary<Tensor> weights() {
 *     return Tensors.tensors(1, 8, 16, 256).distribution(Distribution.STUDENT_T3).scale(0.02).withOutliers(0.01);
 * }
 * }</pre>
 *
 * <p>Each result is a {@link TensorArbitrary}: see there for the modifiers and for how shrinking keeps
 * the shape inside the requested ranges.
 */
public final class Tensors {
    private Tensors() {}

    /** Tensors of 1 to 8 rows and 1 to 128 columns, from any distribution. */
    public static TensorArbitrary tensors() {
        return new TensorArbitrary(1, 8, 1, 128);
    }

    /** Tensors of exactly {@code rows} x {@code columns}, from any distribution. */
    public static TensorArbitrary tensors(int rows, int columns) {
        return new TensorArbitrary(rows, rows, columns, columns);
    }

    /**
     * Tensors with rows in [minRows, maxRows] and columns in [minColumns, maxColumns], from any
     * distribution; shrinking moves towards minRows x minColumns.
     */
    public static TensorArbitrary tensors(int minRows, int maxRows, int minColumns, int maxColumns) {
        return new TensorArbitrary(minRows, maxRows, minColumns, maxColumns);
    }

    /** Random-shape tensors (as {@link #tensors()}) from the normal distribution. */
    public static TensorArbitrary normal() {
        return tensors().distribution(Distribution.NORMAL);
    }

    /** Random-shape tensors (as {@link #tensors()}) from the Laplace distribution. */
    public static TensorArbitrary laplace() {
        return tensors().distribution(Distribution.LAPLACE);
    }

    /** Random-shape tensors (as {@link #tensors()}) from Student's t with 3 degrees of freedom. */
    public static TensorArbitrary studentT3() {
        return tensors().distribution(Distribution.STUDENT_T3);
    }

    /** Random-shape tensors (as {@link #tensors()}) from the uniform distribution on [-1, 1). */
    public static TensorArbitrary uniform() {
        return tensors().distribution(Distribution.UNIFORM);
    }
}
