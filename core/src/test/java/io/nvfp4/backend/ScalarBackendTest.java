package io.nvfp4.backend;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScalarBackendTest {
    private final Backend scalar = new ScalarBackend();

    @Test
    void isDiscoveredAndChosenWhenNothingFasterIsPresent() {
        assertThat(Backends.all()).extracting(Backend::name).contains("scalar");
        assertThat(Backends.named("scalar")).isInstanceOf(ScalarBackend.class);
        assertThat(Backends.get().isSupported()).isTrue();
        assertThatThrownBy(() -> Backends.named("nope")).hasMessageContaining("no backend named 'nope'")
                .hasMessageContaining("scalar");
    }

    @Test
    void matmulIsWithinTheFp32BoundOfTheExactProduct() {
        int m = 3;
        int n = 5;
        int k = 77;
        float[] w = random(n * k, 1);
        float[] x = random(m * k, 2);
        QuantizedMatrix q = Quantizer.nvfp4().quantize(w, n, k);
        float[] dq = Dequantizer.dequantize(q);
        float[] y = new float[m * n];
        try (PreparedWeight prepared = scalar.prepare(q)) {
            scalar.matmul(prepared, FloatMatrix.of(x, m, k), y);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double abs = 0;
                for (int c = 0; c < k; c++) {
                    exact += (double) x[i * k + c] * dq[j * k + c];
                    abs += Math.abs((double) x[i * k + c] * dq[j * k + c]);
                }
                assertThat(Math.abs(y[i * n + j] - exact)).isLessThanOrEqualTo(ScalarBackend.matmulErrorBound(k, abs));
            }
        }
    }

    @Test
    void misuseIsRejectedClearly() {
        QuantizedMatrix q = Quantizer.mx(BlockFormat.MXFP4).quantize(random(2 * 32, 3), 2, 32);
        PreparedWeight prepared = scalar.prepare(q);
        assertThatThrownBy(() -> scalar.matmul(prepared, FloatMatrix.of(new float[31], 1, 31), new float[2]))
                .hasMessageContaining("K differs");
        assertThatThrownBy(() -> scalar.matmul(prepared, FloatMatrix.of(new float[32], 1, 32), new float[1]))
                .hasMessageContaining("y holds 1 floats");
        prepared.close();
        prepared.close(); // idempotent
        assertThatThrownBy(() -> scalar.matmul(prepared, FloatMatrix.of(new float[32], 1, 32), new float[2]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> ScalarBackend.matmulErrorBound(1L << 24, 1)).hasMessageContaining("too long");
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
