package io.nvfp4.testkit;

import io.nvfp4.tensor.QuantizedMatrix;

/**
 * Entry point of the AssertJ-style quantization assertions. Named so that a static import of
 * {@code assertThat} from here and one from AssertJ's {@code Assertions} can coexist: import
 * {@code NvfpAssertions.assertThat} and Java picks this overload for a {@link QuantizedMatrix}.
 *
 * <pre>{@code
 * assertThat(q).reproduces(golden);
 * assertThat(q).isByteIdenticalTo(reference);
 * assertThat(q).against(source).hasSqnrAtLeast(18).errorWithinGridBound();
 * }</pre>
 */
public final class NvfpAssertions {
    private NvfpAssertions() {}

    /** Assertions on a quantized matrix. */
    public static QuantizedMatrixAssert assertThat(QuantizedMatrix actual) {
        return new QuantizedMatrixAssert(actual);
    }
}
