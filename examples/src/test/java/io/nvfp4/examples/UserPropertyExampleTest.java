package io.nvfp4.examples;

import io.nvfp4.examples.minilm.BertWeights;
import io.nvfp4.examples.minilm.MiniLm;
import io.nvfp4.metrics.ErrorStats;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import io.nvfp4.testkit.Distribution;
import io.nvfp4.testkit.Tensor;
import io.nvfp4.testkit.Tensors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

import static io.nvfp4.testkit.NvfpAssertions.assertThat;

/**
 * How a user checks quantization with property tests, with the testkit (test scope) beside the
 * library: first on synthetic weights shaped like theirs, then on slices of their real model's
 * weights (here all-MiniLM-L6-v2's, which the examples module carries).
 */
class UserPropertyExampleTest {

    /** Weights like mine: Student-t(3), std about 0.02, a few outliers, 1 to 8 rows of 16 to 256 columns. */
    @Provide
    Arbitrary<Tensor> myWeights() {
        return Tensors.tensors(1, 8, 16, 256).distribution(Distribution.STUDENT_T3).scale(0.02).withOutliers(0.005);
    }

    @Property(tries = 50)
    void mseSearchIsNeverWorseThanTheReferenceAndKeeps16Db(@ForAll("myWeights") Tensor w) {
        QuantizedMatrix reference = Quantizer.nvfp4().quantize(w.matrix());
        QuantizedMatrix mse = Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH).quantize(w.matrix());
        double referenceDb = ErrorStats.compare(w.values(), Dequantizer.dequantize(reference)).sqnrDb();

        assertThat(mse).against(w.values())
                .hasSqnrAtLeast(referenceDb - 1e-6) // never worse (up to rounding of the dB sums)
                .hasSqnrAtLeast(16)
                .errorWithinGridBound();
    }

    /** A slice of 1 to 32 consecutive rows of one of my model's 36 linear weights. */
    @Provide
    Arbitrary<float[][]> myModelsRows() {
        List<BertWeights.Dense> linears = model().linears();
        return Combinators.combine(Arbitraries.integers().between(0, linears.size() - 1),
                Arbitraries.integers().between(1, 32), Arbitraries.doubles().between(0, 1)).as((layer, rows, where) -> {
                    BertWeights.Dense d = linears.get(layer);
                    int first = (int) (where * (d.out() - rows));
                    float[][] slice = new float[rows][];
                    for (int r = 0; r < rows; r++) {
                        slice[r] = Arrays.copyOfRange(d.weight(), (first + r) * d.in(), (first + r + 1) * d.in());
                    }
                    return slice;
                });
    }

    /**
     * On my real weights, NVFP4 keeps every element within half a grid step of its block (saturation
     * aside), at least 18 dB (the whole model measures 20.5 dB; see quantize-demo --minilm), and each
     * scale rule that searches does no worse than the reference on the slice.
     */
    @Property(tries = 60)
    void myModelsWeightsKeep18DbAndTheRulesNeverLose(@ForAll("myModelsRows") float[][] rows) {
        int k = rows[0].length;
        float[] values = new float[rows.length * k];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, values, r * k, k);
        }
        FloatMatrix w = FloatMatrix.of(values, rows.length, k);
        QuantizedMatrix reference = Quantizer.nvfp4().quantize(w);
        double referenceDb = ErrorStats.compare(values, Dequantizer.dequantize(reference)).sqnrDb();

        assertThat(reference).against(values).hasSqnrAtLeast(18).errorWithinGridBound();
        assertThat(Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH).quantize(w)).against(values)
                .hasSqnrAtLeast(referenceDb - 1e-6).errorWithinGridBound();
    }

    private static BertWeights model() {
        try {
            return MiniLm.load().weights();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
