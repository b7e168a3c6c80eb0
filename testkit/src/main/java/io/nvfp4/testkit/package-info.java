/**
 * Testing backends and quantized tensors.
 *
 * <ul>
 * <li>{@link io.nvfp4.testkit.BackendConformance}: the suite a backend's test module extends;</li>
 * <li>{@link io.nvfp4.testkit.TestMatrices}: seeded weight and activation data with the hard cases
 *     (zero, tiny, subnormal and outlier blocks, rounding ties, negative zero);</li>
 * <li>{@link io.nvfp4.testkit.InputKind}: the same values as F32 (heap or native), BF16 or F16 views;</li>
 * <li>{@link io.nvfp4.testkit.QuantizedAssertions}: byte-for-byte and bit-for-bit comparisons that name
 *     the first difference;</li>
 * <li>{@link io.nvfp4.testkit.MatmulReference}: the double-precision product of the dequantized
 *     weights and the fp32 error bound a matmul must meet;</li>
 * <li>{@link io.nvfp4.testkit.ConformanceQuantizers}: the quantizers the suite covers;</li>
 * <li>{@link io.nvfp4.testkit.Tensors}: jqwik arbitraries of {@link io.nvfp4.testkit.Tensor}s from a
 *     {@link io.nvfp4.testkit.Distribution}, with outliers, zero blocks, E4M3-subnormal block scales or bf16
 *     values, shrinking within the requested shape ranges ({@link io.nvfp4.testkit.TensorArbitrary});</li>
 * <li>{@link io.nvfp4.testkit.NvfpAssertions}: AssertJ-style {@link io.nvfp4.testkit.QuantizedMatrixAssert}
 *     ({@code reproduces(Golden)}, {@code isByteIdenticalTo}, {@code hasSqnrAtLeast},
 *     {@code errorWithinGridBound}).</li>
 * </ul>
 */
package io.nvfp4.testkit;
