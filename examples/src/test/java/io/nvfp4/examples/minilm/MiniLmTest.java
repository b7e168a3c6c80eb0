package io.nvfp4.examples.minilm;

import io.nvfp4.quantize.ScaleRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * all-MiniLM-L6-v2 end to end against ONNX Runtime on the 60 built-in sentences. The bounds are set
 * from measurements (JDK 25, ONNX Runtime 1.29.0, 2026-11-28), with a margin:
 * <pre>
 * mode                  mean cos   min cos   top-1   top-5
 * fp32 (ours)           1 - 4e-13  1 - 6e-13 1.000   1.000
 * nvfp4                 0.9755     0.9639    1.000   0.907
 * nvfp4-four-over-six   0.9766     0.9642    1.000   0.880
 * nvfp4-mse-search      0.9792     0.9723    1.000   0.900
 * mxfp4                 0.9634     0.9530    1.000   0.847
 * nvfp4-w4a4            0.9646     0.940-0.952 1.000 0.85-0.87 (varies with fp32 summation order)
 * nvfp4-gptq            0.9892     0.9833    1.000   0.903
 * nvfp4-gptq-mse-search 0.9912     0.9868    1.000   0.923
 * ort-int8              0.9914     0.9850    1.000   0.903
 * </pre>
 * No NVFP4 scale rule alone reaches a mean cosine of 0.99 on this model: it is small and sensitive
 * (even MXFP8 weights give 0.998, ONNX Runtime's int8 model 0.991); the best rule is MSE search.
 * GPTQ on the 182 calibration sentences, with MSE-searched block scales, does reach it.
 */
class MiniLmTest {

    @Test
    void fp32AgreesWithOnnxRuntimeFp32() {
        float[][] reference = TestModel.reference();
        try (SentenceEmbedder ours = TestModel.model().embedder(WeightMode.FP32)) {
            float[][] batch32 = ours.embed(TestModel.texts(), 32);
            float[][] batch1 = ours.embed(TestModel.texts(), 1);

            double distance = Retrieval.maxCosineDistance(reference, batch32);
            System.out.printf("fp32 vs ONNX Runtime fp32: max cosine distance %.3g%n", distance);
            assertThat(distance).isLessThan(1e-7); // measured 6e-13; the issue asks for about 1e-5
            for (int i = 0; i < reference.length; i++) {
                for (int c = 0; c < reference[i].length; c++) {
                    assertThat(Math.abs(batch32[i][c] - reference[i][c])).as("text %d, component %d", i, c).isLessThan(1e-5f);
                }
            }
            // Rows never mix: the same text gives the same bits at batch 1 and in a batch of 32.
            assertThat(batch1).isDeepEqualTo(batch32);
            assertThat(Retrieval.compare(reference, batch32).top5()).isEqualTo(1.0);
        }
    }

    /** The two 4-bit formats; the scale rules change the quantizer, not the path, and are covered below. */
    static Stream<WeightMode> weightOnlyFormats() {
        return Stream.of(WeightMode.nvfp4(ScaleRule.REFERENCE), WeightMode.mxfp4());
    }

    @ParameterizedTest
    @MethodSource("weightOnlyFormats")
    void theBackendPathComputesWhatTheModeDefines(WeightMode mode) {
        List<String> few = TestModel.texts().subList(0, 4);
        try (SentenceEmbedder backend = TestModel.model().embedder(mode);
             SentenceEmbedder emulated = TestModel.emulated(mode)) {
            assertThat(Retrieval.maxCosineDistance(emulated.embed(few, 4), backend.embed(few, 4))).isLessThan(1e-9);
        }
    }

    /**
     * W4A4 is checked layer by layer: through a whole model, fp32 differences of one ulp (another
     * summation order) flip a few activations to the neighbouring E2M1 code, and those flips cascade;
     * the embeddings of two equally correct W4A4 runs then differ by about 0.01 in cosine distance.
     */
    @Test
    void theW4A4LayersComputeWhatTheModeDefines() {
        MiniLm m = TestModel.model();
        WeightMode mode = WeightMode.nvfp4W4A4(ScaleRule.REFERENCE);
        Map<String, Float> amax = m.calibration();
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (BertWeights.Dense d : m.weights().layers().getFirst().linears()) {
            int rows = 7;
            float[] x = new float[rows * d.in()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian() * amax.get(d.name()) / 4;
            }
            float[] backend = new float[rows * d.out()];
            float[] definition = new float[rows * d.out()];
            try (W4A4Linear layer = new W4A4Linear(d, mode.weights(), mode.activations(), amax.get(d.name()),
                    io.nvfp4.backend.Backends.get());
                 Linear defined = TestModel.emulatedLinear(mode, d, amax.get(d.name()))) {
                layer.apply(x, rows, backend);
                defined.apply(x, rows, definition);
            }
            for (int i = 0; i < backend.length; i++) {
                assertThat(backend[i]).as("%s output %d", d.name(), i)
                        .isCloseTo(definition[i], org.assertj.core.api.Assertions.within(1e-4f * (1 + Math.abs(definition[i]))));
            }
        }
    }

    @Test
    void nvfp4WithEachScaleRuleStaysCloseToTheReferenceAndKeepsRetrieval() {
        Retrieval.Agreement reference = agreement(WeightMode.nvfp4(ScaleRule.REFERENCE));
        Retrieval.Agreement fourOverSix = agreement(WeightMode.nvfp4(ScaleRule.FOUR_OVER_SIX));
        Retrieval.Agreement mse = agreement(WeightMode.nvfp4(ScaleRule.MSE_SEARCH));

        assertThat(reference.meanCosine()).isGreaterThan(0.97);
        assertThat(reference.minCosine()).isGreaterThan(0.955);
        assertThat(reference.top1()).isGreaterThanOrEqualTo(0.95);
        assertThat(reference.top5()).isGreaterThanOrEqualTo(0.85);
        assertThat(fourOverSix.meanCosine()).isGreaterThan(0.97);
        assertThat(fourOverSix.top5()).isGreaterThanOrEqualTo(0.83);
        // MSE search is the best NVFP4 rule here, and no rule reaches 0.99 (see the class comment).
        assertThat(mse.meanCosine()).isGreaterThan(0.975).isGreaterThan(reference.meanCosine())
                .isGreaterThan(fourOverSix.meanCosine()).isLessThan(0.99);
        assertThat(mse.minCosine()).isGreaterThan(0.965);
        assertThat(mse.top1()).isGreaterThanOrEqualTo(0.95);
        assertThat(mse.top5()).isGreaterThanOrEqualTo(0.85);
    }

    /**
     * GPTQ on the calibration sentences (layer by layer, on the backend) is what reaches the issue's
     * 0.99: with the reference scale rule it comes close, with MSE-searched block scales it passes.
     */
    @Test
    void gptqWithMseSearchReachesAMeanCosineOf099() {
        Retrieval.Agreement gptq = measured(WeightMode.nvfp4Gptq(ScaleRule.REFERENCE));
        Retrieval.Agreement gptqMse = measured(WeightMode.nvfp4Gptq(ScaleRule.MSE_SEARCH));

        assertThat(gptq.meanCosine()).isGreaterThan(0.985);
        assertThat(gptq.top1()).isGreaterThanOrEqualTo(0.95);
        assertThat(gptqMse.meanCosine()).isGreaterThanOrEqualTo(0.99).isGreaterThan(gptq.meanCosine());
        assertThat(gptqMse.minCosine()).isGreaterThan(0.98);
        assertThat(gptqMse.top1()).isGreaterThanOrEqualTo(0.95);
        assertThat(gptqMse.top5()).isGreaterThanOrEqualTo(0.88);
    }

    @Test
    void mxfp4AndW4A4AreCloseToo() {
        Retrieval.Agreement mx = agreement(WeightMode.mxfp4());
        Retrieval.Agreement w4a4 = agreement(WeightMode.nvfp4W4A4(ScaleRule.REFERENCE));

        assertThat(mx.meanCosine()).isGreaterThan(0.955);
        assertThat(mx.top1()).isGreaterThanOrEqualTo(0.95);
        assertThat(mx.top5()).isGreaterThanOrEqualTo(0.8);
        assertThat(w4a4.meanCosine()).isGreaterThan(0.955);
        assertThat(w4a4.top1()).isGreaterThanOrEqualTo(0.95);
        assertThat(w4a4.top5()).isGreaterThanOrEqualTo(0.8);
    }

    @Test
    void onnxRuntimeInt8IsTheEightBitBaseline() throws Exception {
        try (OrtEmbedder int8 = TestModel.model().ortInt8()) {
            Retrieval.Agreement a = Retrieval.compare(TestModel.reference(), int8.embed(TestModel.texts(), 32));
            assertThat(a.meanCosine()).isGreaterThan(0.985);
            assertThat(a.top1()).isGreaterThanOrEqualTo(0.95);
            // int8 weights, their per-column scales and zero points, for the 36 linear layers
            assertThat(int8.weightBytes()).isEqualTo(10_616_832 + 6 * (4 * 384 + 1536 + 384) * (4 + 1));
        }
    }

    @Test
    void weightBytesCountCodesScalesAndTensorScales() {
        long weights = 6L * (4 * 384 * 384 + 2 * 384 * 1536);
        assertThat(weights).isEqualTo(10_616_832);
        try (SentenceEmbedder fp32 = TestModel.model().embedder(WeightMode.FP32)) {
            assertThat(fp32.weightBytes()).isEqualTo(4 * weights);
        }
        try (SentenceEmbedder nv = TestModel.model().embedder(WeightMode.nvfp4(ScaleRule.REFERENCE));
             SentenceEmbedder mx = TestModel.model().embedder(WeightMode.mxfp4())) {
            assertThat(nv.weightBytes()).isEqualTo(weights / 2 + weights / 16 + 36 * 4);
            assertThat(mx.weightBytes()).isEqualTo(weights / 2 + weights / 32);
        }
    }

    @Test
    void calibrationRecordsEveryLinearInput() {
        Map<String, Float> amax = TestModel.model().calibration();

        assertThat(amax).hasSize(36);
        assertThat(amax.values()).allSatisfy(a -> assertThat(a).isPositive().isFinite());
        // query, key and value read the same input
        assertThat(amax.get("encoder.layer.2.attention.self.query")).isEqualTo(amax.get("encoder.layer.2.attention.self.value"));
    }

    @Test
    void overLongInputIsTruncatedNotRejected() {
        String longText = "The quick brown fox jumps over the lazy dog. ".repeat(40);
        Encoding e = TestModel.model().tokenizer().encode(longText);
        assertThat(e.truncated()).isTrue();
        try (SentenceEmbedder fp32 = TestModel.model().embedder(WeightMode.FP32)) {
            float[][] v = fp32.embed(List.of(longText), 1);
            assertThat(v[0]).isEqualTo(fp32.embedEncodings(List.of(e), 1)[0]);
            assertThat(Retrieval.cosine(v[0], v[0])).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
            Encoding tooLong = new Encoding(new int[600], new int[600], 600, 600);
            assertThatThrownBy(() -> fp32.encoder().embed(List.of(tooLong)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("600 tokens; the model takes 1 to 512");
        }
    }

    /** {@code mode} on the backend, as the demo runs it. */
    private static Retrieval.Agreement measured(WeightMode mode) {
        try (SentenceEmbedder e = TestModel.model().embedder(mode)) {
            Retrieval.Agreement a = Retrieval.compare(TestModel.reference(), e.embed(TestModel.texts(), 32));
            System.out.printf("%-22s %s%n", mode.id(), a);
            return a;
        }
    }

    private static Retrieval.Agreement agreement(WeightMode mode) {
        try (SentenceEmbedder e = TestModel.emulated(mode)) {
            Retrieval.Agreement a = Retrieval.compare(TestModel.reference(), e.embed(TestModel.texts(), 32));
            System.out.printf("%-22s %s%n", mode.id(), a);
            return a;
        }
    }
}
