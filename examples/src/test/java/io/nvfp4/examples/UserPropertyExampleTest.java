package io.nvfp4.testkit;

import io.nvfp4.metrics.ErrorStats;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static io.nvfp4.testkit.NvfpAssertions.assertThat;

/** A user's property test: MSE search on heavy-tailed weights never loses to the reference rule. */
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
}
