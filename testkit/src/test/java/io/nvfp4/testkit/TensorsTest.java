package io.nvfp4.testkit;

import io.nvfp4.format.BF16;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Shrinkable;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorsTest {

    @Property(tries = 60)
    void shapesStayInTheirRanges(@ForAll("ranged") Tensor t) {
        assertThat(t.rows()).isBetween(2, 5);
        assertThat(t.columns()).isBetween(3, 40);
        assertThat(t.values()).hasSize(t.rows() * t.columns()).doesNotContain(Float.NaN);
    }

    @Provide
    Arbitrary<Tensor> ranged() {
        return Tensors.tensors(2, 5, 3, 40);
    }

    @Property(tries = 20)
    void aGivenShapeIsExact(@ForAll("fixed") Tensor t) {
        assertThat(t.rows()).isEqualTo(3);
        assertThat(t.columns()).isEqualTo(17);
        assertThat(t.matrix().get(2, 16)).isEqualTo(t.get(2, 16));
    }

    @Provide
    Arbitrary<Tensor> fixed() {
        return Tensors.tensors(3, 17).distribution(Distribution.LAPLACE, Distribution.UNIFORM).bf16Representable()
                .withOutliers(0.1).withZeroBlocks(16, 0.2).nearE4m3SubnormalScales().scale(0.5);
    }

    @Example
    void shrinkingKeepsTheShapeRangeAndReachesTheSmallestShape() {
        TensorArbitrary arbitrary = Tensors.tensors(2, 6, 16, 64).distribution(Distribution.STUDENT_T3)
                .withZeroBlocks(16, 0.5);
        Shrinkable<Tensor> start = arbitrary.generator(100).next(new Random(7));
        // Follow the first candidate of each step (a property that always fails shrinks this way) and check every
        // candidate seen on the way.
        Shrinkable<Tensor> current = start;
        int steps = 0;
        while (steps++ < 500) {
            Deque<Shrinkable<Tensor>> candidates = new ArrayDeque<>(current.shrink().limit(50).toList());
            for (Shrinkable<Tensor> c : candidates) {
                Tensor t = c.value();
                assertThat(t.rows()).isBetween(2, 6);
                assertThat(t.columns()).isBetween(16, 64);
                assertThat(hasZeroBlock(t, 16)).as("zero blocks survive shrinking: %s", t).isTrue();
            }
            if (candidates.isEmpty()) {
                break;
            }
            current = candidates.getFirst();
        }
        assertThat(current.value().rows()).isEqualTo(2);
        assertThat(current.value().columns()).isEqualTo(16);
        assertThat(current.value().origin()).startsWith("STUDENT_T3 seed=0 ");
    }

    @Property(tries = 40)
    void zeroBlocksAreWhollyZero(@ForAll("zeroBlocks") Tensor t) {
        assertThat(hasZeroBlock(t, 32)).as("%s has an all-zero 32-block", t).isTrue();
    }

    @Provide
    Arbitrary<Tensor> zeroBlocks() {
        return Tensors.tensors(1, 4, 1, 100).withZeroBlocks(32, 0.3);
    }

    @Property(tries = 40)
    void bf16ValuesRoundTrip(@ForAll("bf16") Tensor t) {
        for (float v : t.values()) {
            assertThat(BF16.toFloat(BF16.fromFloat(v))).isEqualTo(v);
        }
    }

    @Provide
    Arbitrary<Tensor> bf16() {
        return Tensors.tensors().withOutliers(0.05).bf16Representable();
    }

    @Property(tries = 40)
    void subnormalScaleBlocksGetE4m3SubnormalScales(@ForAll("subnormal") Tensor t) {
        QuantizedMatrix q = Quantizer.nvfp4().quantize(t.matrix());
        float amax = t.amax();
        int subnormal = 0;
        for (int r = 0; r < t.rows(); r++) {
            for (int b = 0; b < q.blocksPerRow(); b++) {
                if (blockMax(t, r, b, 16) == amax) {
                    continue; // the block that holds the tensor amax keeps a normal scale
                }
                assertThat(q.scaleCode(r, b)).as("scale of row %d block %d, %s", r, b, t).isBetween(0x01, 0x07);
                subnormal++;
            }
        }
        assertThat(subnormal).isPositive();
    }

    @Provide
    Arbitrary<Tensor> subnormal() {
        return Tensors.tensors(1, 4, 32, 128).distribution(Distribution.NORMAL, Distribution.STUDENT_T3)
                .withOutliers(0.02).nearE4m3SubnormalScales();
    }

    @Example
    void outliersMultiplyTheGivenFractionBy50() {
        TensorArbitrary plain = Tensors.tensors(2, 8).distribution(Distribution.UNIFORM);
        Tensor base = plain.generate(2, 8, Distribution.UNIFORM, 99);
        Tensor withOutliers = plain.withOutliers(0.25).generate(2, 8, Distribution.UNIFORM, 99);
        int scaled = 0;
        for (int i = 0; i < 16; i++) {
            float a = base.values()[i], b = withOutliers.values()[i];
            if (b != a) {
                assertThat(b).isEqualTo(a * 50);
                scaled++;
            }
        }
        assertThat(scaled).isEqualTo(4);
        assertThat(withOutliers.toString()).contains("2 x 8", "UNIFORM seed=99", "outliers(0.25)");
    }

    @Example
    void generationIsDeterministicAndChecksItsArguments() {
        TensorArbitrary a = Tensors.studentT3().withZeroBlocks(16, 0.5).bf16Representable();
        assertThat(a.generate(3, 50, Distribution.STUDENT_T3, 5)).isEqualTo(a.generate(3, 50, Distribution.STUDENT_T3, 5));
        assertThatThrownBy(() -> a.generate(9, 50, Distribution.STUDENT_T3, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> Tensors.tensors(3, 2, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.withOutliers(0)).isInstanceOf(IllegalArgumentException.class);
    }

    static boolean hasZeroBlock(Tensor t, int blockSize) {
        for (int r = 0; r < t.rows(); r++) {
            for (int b = 0; b * blockSize < t.columns(); b++) {
                if (blockMax(t, r, b, blockSize) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    static float blockMax(Tensor t, int row, int block, int blockSize) {
        float m = 0;
        for (int c = block * blockSize; c < Math.min(t.columns(), (block + 1) * blockSize); c++) {
            m = Math.max(m, Math.abs(t.get(row, c)));
        }
        return m;
    }
}
