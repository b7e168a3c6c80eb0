package io.nvfp4.testkit;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.backend.ScalarBackend;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import io.nvfp4.testkit.ConformanceCases.MatmulCase;
import io.nvfp4.testkit.ConformanceCases.QuantizeInput;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The conformance suite of the {@link Backend} SPI: every backend must pass it. It checks the backend
 * under test against the scalar reference ({@link ScalarBackend}):
 * <ul>
 * <li>{@link Backend#quantize} is byte-identical (codes, scales, tensor scale) for every quantizer of
 *     {@link ConformanceQuantizers#all()}, on F32 (heap and native), BF16 and F16 input with zero,
 *     tiny, subnormal, huge, outlier and rounding-tie blocks and ragged K;</li>
 * <li>{@link Backend#dequantizeRow} is bit-identical (NaNs count as one) on quantized data and on
 *     random bytes of every format, recipe and scale layout;</li>
 * <li>{@link Backend#matmul} is within the fp32 bound of {@link MatmulReference} (gamma_K times
 *     {@code sum |x_k w_k|}, gamma_K = K u / (1 - K u), u = 2^-24, Higham section 3.1, plus an
 *     underflow term) of the exact product of the dequantized weights, for random M (1 to 130), N
 *     (from 1) and K (from 1, ragged, or not a multiple of any vector length), F32/BF16/F16
 *     activations; its result does not depend on the pool size, and one prepared weight used from
 *     8 threads at once gives exactly the single-threaded results;</li>
 * <li>misuse fails clearly: a closed weight ({@link IllegalStateException}), a K mismatch, a short
 *     output array, another backend's weight ({@link IllegalArgumentException}).</li>
 * </ul>
 *
 * <p>Use: a backend's test module adds {@code io.nvfp4:nvfp4-testkit} with test scope and extends
 * this class once:
 * <pre>{@code
 * class SimdBackendConformanceTest extends BackendConformance {
 *     @Override
 *     protected Backend backend() {
 *         return new SimdBackend();
 *     }
 * }
 * }</pre>
 * Properties run on jqwik's engine and examples on JUnit Jupiter's; both come with the testkit. The
 * backend must be supported where the tests run: an unsupported one fails every test, saying so,
 * rather than passing having tested nothing. Runtime: a few seconds with the scalar reference on two
 * cores; the suite is sized so that the reference's own work stays small.
 */
public abstract class BackendConformance {
    /** Not the backend under test, whatever it is: a distinct instance. */
    private static final Backend FOREIGN = new ScalarBackend();

    private Backend backend;

    /** For subclasses: one per backend under test. */
    protected BackendConformance() {}

    /**
     * The backend under test. Called once per test; the same instance is then used for everything
     * in that test (a prepared weight belongs to the instance that prepared it).
     */
    protected abstract Backend backend();

    /** The backend under test, checked to be supported here. */
    protected final Backend underTest() {
        if (backend == null) {
            Backend b = backend();
            assertThat(b).as("backend()").isNotNull();
            if (!b.isSupported()) {
                throw new AssertionError("backend '" + b.name() + "' says it is not supported on this JVM or"
                        + " machine (Java " + Runtime.version() + "); run its conformance tests where it is");
            }
            backend = b;
        }
        return backend;
    }

    @Provide
    Arbitrary<Quantizer> conformanceQuantizers() {
        return Arbitraries.of(ConformanceQuantizers.all());
    }

    @Provide
    Arbitrary<QuantizeInput> quantizeInputs() {
        return ConformanceCases.quantizeInputs();
    }

    @Provide
    Arbitrary<QuantizedMatrix> rawQuantized() {
        return ConformanceCases.rawQuantized();
    }

    @Provide
    Arbitrary<MatmulCase> matmulCases() {
        return ConformanceCases.matmulCases();
    }

    /** Quantize gives the reference's bytes, and dequantizing them gives the reference's floats. */
    @Property(tries = 400)
    void quantizeAndDequantizeMatchTheReference(@ForAll("conformanceQuantizers") Quantizer quantizer,
                                                @ForAll("quantizeInputs") QuantizeInput input) {
        QuantizedMatrix expected = QuantizeChecks.assertQuantizeMatches(underTest(), quantizer, input.matrix());
        if (expected != null) {
            QuantizeChecks.assertDequantizeRowsMatch(underTest(), expected);
        }
    }

    /** Dequantizing any bytes gives the reference's floats. */
    @Property(tries = 250)
    void dequantizeRowMatchesTheReferenceOnAnyBytes(@ForAll("rawQuantized") QuantizedMatrix q) {
        QuantizeChecks.assertDequantizeRowsMatch(underTest(), q);
    }

    /** Within the fp32 bound of the exact product, for any shape. */
    @Property(tries = 250)
    void matmulIsWithinTheFp32BoundOfTheExactProduct(@ForAll("matmulCases") MatmulCase c) {
        MatmulChecks.withinBound(underTest(), c);
    }

    @Test
    void quantizeMatchesTheReferenceOnLargerMatrices() {
        QuantizeChecks.largerMatrices(underTest());
    }

    @Test
    void quantizeOfZerosMatchesTheReference() {
        QuantizeChecks.zeros(underTest());
    }

    @Test
    void quantizeRejectsNonFiniteInputLikeTheReference() {
        QuantizeChecks.nonFinite(underTest());
    }

    @Test
    void dequantizeRowWritesOnlyTheLogicalColumns() {
        QuantizeChecks.dequantizeWritesOnlyTheLogicalColumns(underTest());
    }

    @Test
    void matmulOnLargerShapesIsWithinTheBound() {
        MatmulChecks.largerShapes(underTest());
    }

    @Test
    void matmulDoesNotDependOnThePoolSize() {
        MatmulChecks.poolSizeIndependence(underTest());
    }

    @Test
    void onePreparedWeightServesEightThreadsAtOnce() throws InterruptedException {
        MatmulChecks.eightThreadsShareOneWeight(underTest());
    }

    @Test
    void matmulWritesOnlyTheFirstMTimesNOutputs() {
        MatmulChecks.writesOnlyTheFirstMTimesN(underTest());
    }

    @Test
    void preparedWeightKnowsItsWeightAndBackendAndClosesTwice() {
        Backend b = underTest();
        QuantizedMatrix w = Quantizer.mx(BlockFormat.MXFP4).quantize(TestMatrices.weights(4, 64, 1), 4, 64);
        PreparedWeight prepared = b.prepare(w);
        assertThat(prepared.weight()).as("PreparedWeight.weight()").isSameAs(w);
        assertThat(prepared.backend()).as("PreparedWeight.backend()").isSameAs(b);
        prepared.close();
        prepared.close();
    }

    @Test
    void closedWeightIsRejected() {
        Backend b = underTest();
        QuantizedMatrix w = Quantizer.nvfp4().quantize(TestMatrices.weights(4, 64, 2), 4, 64);
        PreparedWeight prepared = b.prepare(w);
        prepared.close();
        assertThatThrownBy(() -> b.matmul(prepared, FloatMatrix.of(new float[64], 1, 64), new float[4]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void mismatchedShapesAreRejected() {
        Backend b = underTest();
        QuantizedMatrix w = Quantizer.nvfp4().quantize(TestMatrices.weights(4, 40, 2), 4, 40);
        try (PreparedWeight prepared = b.prepare(w)) {
            for (int k : new int[] {39, 41, 48}) { // 48: W's padded K is not its K
                assertThatThrownBy(() -> b.matmul(prepared, FloatMatrix.of(new float[2 * k], 2, k), new float[8]))
                        .as("x with K = %d against W with K = 40", k).isInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> b.matmul(prepared, FloatMatrix.of(new float[2 * 40], 2, 40), new float[7]))
                    .as("y of 7 floats for M x N = 2 x 4").isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anotherBackendsWeightIsRejected() {
        Backend b = underTest();
        QuantizedMatrix w = Quantizer.nvfp4().quantize(TestMatrices.weights(4, 32, 2), 4, 32);
        FloatMatrix x = FloatMatrix.of(new float[32], 1, 32);
        PreparedWeight foreign = new ForeignWeight(w, FOREIGN);
        assertThatThrownBy(() -> b.matmul(foreign, x, new float[4])).isInstanceOf(IllegalArgumentException.class);
        try (PreparedWeight scalars = FOREIGN.prepare(w)) {
            assertThatThrownBy(() -> b.matmul(scalars, x, new float[4]))
                    .as("a weight prepared by another backend instance").isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** A prepared weight no backend under test made: its class and its backend are foreign. */
    private record ForeignWeight(QuantizedMatrix weight, Backend backend) implements PreparedWeight {
        @Override
        public void close() {}
    }
}
