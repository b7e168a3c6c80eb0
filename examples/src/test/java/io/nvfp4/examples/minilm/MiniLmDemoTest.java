package io.nvfp4.examples.minilm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MiniLmDemoTest {
    @Test
    void runsTheReferenceThenTheChosenModes() throws Exception {
        List<String> progress = new ArrayList<>();
        List<MiniLmDemo.Row> rows = MiniLmDemo.run(TestModel.model(),
                new MiniLmDemo.Settings(List.of("fp32", "ort-int8"), 2, 0), progress::add);

        assertThat(rows).extracting(MiniLmDemo.Row::mode).containsExactly("ort-fp32", "fp32", "ort-int8");
        assertThat(progress).hasSize(3);
        MiniLmDemo.Row reference = rows.get(0);
        assertThat(reference.agreement().meanCosine()).isEqualTo(1.0);
        assertThat(reference.agreement().top5()).isEqualTo(1.0);
        assertThat(reference.description()).startsWith("ONNX Runtime 1.");
        MiniLmDemo.Row fp32 = rows.get(1);
        assertThat(fp32.weightBytes()).isEqualTo(reference.weightBytes()).isEqualTo(42_467_328);
        assertThat(fp32.agreement().minCosine()).isGreaterThan(1 - 1e-7);
        assertThat(fp32.agreement().top1()).isEqualTo(1.0);
        assertThat(rows.get(2).agreement().meanCosine()).isGreaterThan(0.985);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.sentencesPerSecond1()).isPositive();
            assertThat(r.sentencesPerSecond32()).isPositive();
        });
    }

    @Test
    void modeIdsAreTheReferenceOursAndInt8() {
        assertThat(MiniLmDemo.modeIds()).containsExactly("ort-fp32", "fp32", "nvfp4", "nvfp4-four-over-six",
                "nvfp4-mse-search", "nvfp4-gptq", "nvfp4-gptq-mse-search", "mxfp4", "nvfp4-w4a4", "ort-int8");
        assertThatThrownBy(() -> new MiniLmDemo.Settings(List.of("int4"), 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown mode 'int4'; the modes are ort-fp32,");
    }

    @Test
    void theBuiltInSentencesAreSixtyInTenTopicsOfParaphrasePairs() {
        assertThat(DemoSentences.evaluation()).hasSize(60);
        assertThat(DemoSentences.evaluation().stream().map(DemoSentences.Sentence::topic).distinct()).hasSize(10);
        assertThat(DemoSentences.calibration()).hasSize(182).doesNotHaveDuplicates().doesNotContainAnyElementsOf(DemoSentences.evaluationTexts());
        // Paraphrases are each other's nearest neighbours under the reference, for most pairs.
        int[][] nearest = Retrieval.neighbours(TestModel.reference(), 1);
        long pairs = java.util.stream.IntStream.range(0, 60).filter(i -> nearest[i][0] == (i ^ 1)).count();
        assertThat(pairs).isGreaterThanOrEqualTo(54);
    }
}
