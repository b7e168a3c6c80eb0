package io.nvfp4.metrics;

import io.nvfp4.format.BF16;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ErrorStatsTest {
    private static final float[] X = {1, -2, 3, 0};
    private static final float[] Y = {1, -1.5f, 2, 0.5f};

    @Test
    void handComputedValues() {
        // errors 0, -0.5, 1, -0.5: squares sum to 1.5; x^2 sums to 14; x.y = 1 + 3 + 6 + 0 = 10; |y|^2 = 7.5
        ErrorStats s = ErrorStats.compare(X, Y);

        assertThat(s.count()).isEqualTo(4);
        assertThat(s.mse()).isEqualTo(0.375);
        assertThat(s.signalPower()).isEqualTo(3.5);
        assertThat(s.sqnrDb()).isCloseTo(9.700367766225568, within(1e-12)); // 10 log10(3.5 / 0.375)
        assertThat(s.maxAbsError()).isEqualTo(1.0);
        assertThat(s.maxRelError()).isCloseTo(1.0 / 3, within(1e-15));      // the zero reference is left out
        assertThat(s.cosineSimilarity()).isCloseTo(0.9759000729485332, within(1e-15)); // 10 / sqrt(14 * 7.5)
    }

    @Test
    void exactReconstruction() {
        ErrorStats s = ErrorStats.compare(X, X.clone());

        assertThat(s.mse()).isZero();
        assertThat(s.sqnrDb()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(s.maxAbsError()).isZero();
        assertThat(s.maxRelError()).isZero();
        assertThat(s.cosineSimilarity()).isEqualTo(1.0);
    }

    @Test
    void allZeroReferenceReconstructedExactly() {
        ErrorStats s = ErrorStats.compare(new float[3], new float[3]);

        assertThat(s.sqnrDb()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(s.maxRelError()).isZero();
        assertThat(s.cosineSimilarity()).isEqualTo(1.0);
    }

    @Test
    void allZeroReferenceWithNoise() {
        ErrorStats s = ErrorStats.compare(new float[] {0, 0}, new float[] {0, -0.25f});

        assertThat(s.mse()).isEqualTo(0.03125);
        assertThat(s.sqnrDb()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(s.maxAbsError()).isEqualTo(0.25);
        assertThat(s.maxRelError()).isZero();        // no nonzero reference element to be relative to
        assertThat(s.cosineSimilarity()).isZero();
    }

    @Test
    void reconstructionFlushedToZero() {
        ErrorStats s = ErrorStats.compare(new float[] {0.5f, -0.25f}, new float[2]);

        assertThat(s.sqnrDb()).isEqualTo(0.0);       // noise power equals signal power
        assertThat(s.maxRelError()).isEqualTo(1.0);
        assertThat(s.cosineSimilarity()).isZero();
    }

    @Test
    void negatedReconstructionHasCosineMinusOne() {
        ErrorStats s = ErrorStats.compare(new float[] {3, 4}, new float[] {-3, -4});

        assertThat(s.cosineSimilarity()).isEqualTo(-1.0);
        assertThat(s.mse()).isEqualTo(50.0);         // (36 + 64) / 2
        assertThat(s.maxRelError()).isEqualTo(2.0);
    }

    @Test
    void accumulatesInDoubleSoLargeFloatsDoNotOverflow() {
        // In float, 3e38^2 and the error 6e38 would both be infinite.
        ErrorStats s = ErrorStats.compare(new float[] {3e38f}, new float[] {-3e38f});

        assertThat(s.maxAbsError()).isCloseTo(6e38, within(1e31));
        assertThat(s.sqnrDb()).isCloseTo(10 * Math.log10(0.25), within(1e-9)); // noise = (2x)^2 = 4 x^2
        assertThat(s.cosineSimilarity()).isEqualTo(-1.0);
    }

    @Test
    void nanPropagates() {
        ErrorStats s = ErrorStats.compare(new float[] {1, 2}, new float[] {1, Float.NaN});

        assertThat(s.mse()).isNaN();
        assertThat(s.sqnrDb()).isNaN();
        assertThat(s.maxAbsError()).isNaN();
        assertThat(s.maxRelError()).isNaN();
        assertThat(s.cosineSimilarity()).isNaN();
    }

    @Test
    void nanInReconstructionOfZeroReferenceIsNotHiddenByTheZeroRules() {
        ErrorStats s = ErrorStats.compare(new float[] {0}, new float[] {Float.NaN});

        assertThat(s.sqnrDb()).isNaN();
        assertThat(s.cosineSimilarity()).isNaN();
    }

    @Test
    void matrixOverloadAgreesWithArraysWhateverTheStorage() {
        FloatMatrix x = FloatMatrix.of(X, 2, 2);
        FloatMatrix y = bf16(Y, 2, 2); // every value of Y is exact in bf16

        assertThat(ErrorStats.compare(x, y)).isEqualTo(ErrorStats.compare(X, Y));
    }

    @Test
    void rejectsMismatchedOrEmptyInput() {
        assertThatThrownBy(() -> ErrorStats.compare(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2").hasMessageContaining("3");
        assertThatThrownBy(() -> ErrorStats.compare(new float[0], new float[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErrorStats.compare(FloatMatrix.of(X, 2, 2), FloatMatrix.of(X, 1, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x 2").hasMessageContaining("1 x 4");
    }

    @Test
    void toStringNamesTheStatistics() {
        assertThat(ErrorStats.compare(X, Y).toString())
                .contains("n=4", "mse=0.375000", "sqnr=9.700 dB", "maxAbs=1.00000", "cosine=0.975900073");
    }

    private static FloatMatrix bf16(float[] values, long rows, long columns) {
        MemorySegment data = MemorySegment.ofArray(new short[values.length]);
        ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            data.setAtIndex(le, i, BF16.fromFloat(values[i]));
        }
        return FloatMatrix.of(data, DType.BF16, rows, columns);
    }
}
