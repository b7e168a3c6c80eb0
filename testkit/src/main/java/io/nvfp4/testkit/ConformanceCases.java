package io.nvfp4.testkit;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** The random cases of {@link BackendConformance}'s properties: their shapes, data and generators. */
final class ConformanceCases {

    private ConformanceCases() {}

    /** Input to quantize: a shape, a seed, how the data is held, and whether it spans all of fp32. */
    record QuantizeInput(int rows, int columns, InputKind kind, boolean extreme, long seed) {
        FloatMatrix matrix() {
            // F16 cannot hold the extremes (they would become infinite, which quantizers reject).
            float[] values = extreme && kind != InputKind.F16 ? TestMatrices.extremes(rows, columns, seed)
                    : TestMatrices.weights(rows, columns, seed);
            return kind.view(values, rows, columns);
        }
    }

    /** One matmul: the weight's quantizer, M, N, K, how x is held, and the data's seed. */
    record MatmulCase(Quantizer quantizer, int m, int n, int k, InputKind kind, long seed) {
        /**
         * The weight. A small tensor can be all subnormal, whose tensor amax some recipes refuse (it has
         * no finite tensor scale); that is a quantize case, not a matmul case, so the next seed is taken.
         */
        QuantizedMatrix weight() {
            IllegalArgumentException refused = null;
            for (long s = seed; s < seed + 64; s++) {
                try {
                    return quantizer.quantize(TestMatrices.weights(n, k, s), n, k);
                } catch (IllegalArgumentException e) {
                    refused = e;
                }
            }
            throw refused;
        }

        FloatMatrix x() {
            return kind.view(TestMatrices.activations(m, k, seed ^ 0x5DEECE66DL), m, k);
        }
    }

    /** Rows 1 to 40 (crossing the reference's 16-row tasks), columns as {@link #columns()}. */
    static Arbitrary<QuantizeInput> quantizeInputs() {
        return Combinators.combine(Arbitraries.integers().between(1, 40), columns(),
                Arbitraries.of(InputKind.class), Arbitraries.of(true, false), Arbitraries.longs())
                .as(QuantizeInput::new);
    }

    /** M mostly 1 or small, up to 130; N from 1 to 140; K as {@link #columns()}. */
    static Arbitrary<MatmulCase> matmulCases() {
        Arbitrary<Integer> m = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(1)),
                Tuple.of(4, Arbitraries.integers().between(2, 16)),
                Tuple.of(2, Arbitraries.integers().between(17, 130)));
        Arbitrary<Integer> n = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(1)),
                Tuple.of(5, Arbitraries.integers().between(2, 40)),
                Tuple.of(2, Arbitraries.integers().between(41, 140)));
        return Combinators.combine(Arbitraries.of(ConformanceQuantizers.forMatmul()), m, n, columns(),
                Arbitraries.of(InputKind.class), Arbitraries.longs()).as(MatmulCase::new);
    }

    /**
     * K: short (1 to 33, below one block or one vector), medium and ragged (34 to 600), or a
     * multiple of 64 up to 1024 (no tail at all).
     */
    static Arbitrary<Integer> columns() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.integers().between(1, 33)),
                Tuple.of(5, Arbitraries.integers().between(34, 600)),
                Tuple.of(2, Arbitraries.integers().between(1, 16).map(i -> i * 64)));
    }

    /** Random-byte matrices ({@link QuantizedSamples}) of every format, recipe kind and scale layout. */
    static Arbitrary<QuantizedMatrix> rawQuantized() {
        Arbitrary<Tuple.Tuple2<BlockFormat, Recipe>> formatAndRecipe = Arbitraries.of(BlockFormat.class)
                .flatMap(format -> format == BlockFormat.NVFP4
                        ? Arbitraries.of(Nvfp4Recipe.class).map(r -> Tuple.of(format, (Recipe) r))
                        : Arbitraries.just(Tuple.of(format, (Recipe) MxRecipe.OCP)));
        return Combinators.combine(formatAndRecipe, Arbitraries.integers().between(1, 20), columns(),
                Arbitraries.of(ScaleLayout.class), Arbitraries.longs())
                .as((fr, rows, cols, layout, seed) -> QuantizedSamples.random(fr.get1(), fr.get2(), rows, cols,
                        layout, seed));
    }
}
