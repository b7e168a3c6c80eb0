package io.nvfp4.cli;

import io.nvfp4.quantize.Nvfp4Recipe;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QuantizeDemoCommandTest {
    @Test
    void printsARowPerRecipeWithPlausibleSqnr() {
        // K = 100 is not a multiple of 16 or 32: the last block of every row is zero-padded.
        CliRun run = CliRun.of("quantize-demo", "--rows", "64", "--cols", "100", "--seed", "7");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("64 x 100", "seed 7", "after warm-up");
        List<String> labels = new ArrayList<>();
        for (Nvfp4Recipe r : Nvfp4Recipe.values()) {
            labels.add("NVFP4 " + r.name());
        }
        labels.add("MXFP4 OCP");
        for (String label : labels) {
            String row = run.out().lines().filter(l -> l.startsWith(label + " ")).findFirst().orElseThrow();
            String[] cells = row.substring(label.length()).trim().split(" +");
            assertThat(cells).as(row).hasSize(6);
            assertThat(Double.parseDouble(cells[0])).as("SQNR dB of %s", label).isBetween(15.0, 30.0);
            assertThat(Double.parseDouble(cells[1])).as("MSE of %s", label).isPositive();
            assertThat(Double.parseDouble(cells[5])).as("ms of %s", label).isNotNegative();
        }
    }

    @Test
    void allRulesAddsScaleRulesAndFormatsAndMseSearchBeatsTheReferenceOnHeavyTails() {
        CliRun run = CliRun.of("quantize-demo", "--rows", "32", "--cols", "512", "--distribution", "student-t3",
                "--all-rules");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("student-t3", "NVFP4 MODELOPT four-over-six", "NVFP4 MODELOPT mse-search",
                "MXFP4 CEIL", "MXFP4 EVEN", "MXFP4 RCEIL", "MXFP8_E4M3 OCP", "MXFP8_E5M2 OCP");
        assertThat(mseRatio(run.out(), "NVFP4 MODELOPT")).isEqualTo(1.0);
        assertThat(mseRatio(run.out(), "NVFP4 MODELOPT mse-search")).isLessThan(1.0);
    }

    /** The real weights: both NVFP4 rules beat the reference, MXFP8 beats every 4-bit row (README table). */
    @Test
    void minilmQuantizesTheModelsOwnWeights() {
        CliRun run = CliRun.of("quantize-demo", "--minilm", "--all-rules");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("the 36 linear-layer weights of all-MiniLM-L6-v2 (10,616,832 fp32 values)",
                "per tensor");
        assertThat(mseRatio(run.out(), "NVFP4 MODELOPT four-over-six")).isLessThan(0.9);
        assertThat(mseRatio(run.out(), "NVFP4 MODELOPT mse-search")).isLessThan(0.9);
        assertThat(mseRatio(run.out(), "MXFP4 OCP")).isGreaterThan(1.0);
        assertThat(mseRatio(run.out(), "MXFP8_E4M3 OCP")).isLessThan(0.2);
    }

    @Test
    void minilmTakesNoShapeOrDistribution() {
        CliRun run = CliRun.of("quantize-demo", "--minilm", "--rows", "8");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--minilm quantizes the model's own weights");
    }

    @Test
    void anUnknownDistributionIsAUsageError() {
        CliRun run = CliRun.of("quantize-demo", "--distribution", "cauchy");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'cauchy' is not one of");
    }

    /** The MSE/ref cell of the row labelled exactly {@code label}. */
    private static double mseRatio(String out, String label) {
        String row = out.lines().filter(l -> l.startsWith(label + "  ")).findFirst().orElseThrow();
        return Double.parseDouble(row.substring(label.length()).trim().split(" +")[2]);
    }

    @Test
    void sameSeedSameNumbers() {
        String a = withoutTimes(CliRun.of("quantize-demo", "--rows", "8", "--cols", "64", "--seed", "3").out());
        String b = withoutTimes(CliRun.of("quantize-demo", "--rows", "8", "--cols", "64", "--seed", "3").out());

        assertThat(a).isEqualTo(b);
    }

    @Test
    void nonPositiveShapeIsAUsageError() {
        CliRun run = CliRun.of("quantize-demo", "--rows", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString().contains("must be positive");
    }

    @Test
    void shapeBeyondOneArrayIsAUsageError() {
        CliRun run = CliRun.of("quantize-demo", "--rows", "65536", "--cols", "65536");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("4294967296 elements");
    }

    /** The output with the last column (milliseconds) of every table row cut off. */
    private static String withoutTimes(String out) {
        return out.replaceAll("(?m) +[0-9.]+$", "");
    }
}
