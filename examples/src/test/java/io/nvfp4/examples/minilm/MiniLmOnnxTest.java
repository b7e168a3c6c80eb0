package io.nvfp4.examples.minilm;

import io.nvfp4.io.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The ONNX reader (core's {@code io.nvfp4.io.onnx}) on the real exports, fp32 and int8. */
class MiniLmOnnxTest {
    @Test
    void readsTheMiniLmModelsTypedAndRawTensors() throws IOException {
        OnnxModel fp32 = OnnxModel.parse(ModelResources.read(MiniLm.MODEL_RESOURCE, "test"), "all-minilm-l6-v2.onnx");
        OnnxModel int8 = OnnxModel.parse(ModelResources.read(MiniLm.INT8_MODEL_RESOURCE, "test"), "all-minilm-l6-v2-q.onnx");

        assertThat(fp32.producer()).isEqualTo("pytorch 2.0.1");
        assertThat(fp32.inputs()).containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(fp32.requireInitializer("embeddings.word_embeddings.weight").dims()).containsExactly(30522, 384);
        // The int8 export keeps per-column scales in float_data and zero points in int32_data: dequantized,
        // its weight is the fp32 weight up to half a quantization step.
        float[] w = fp32.requireInitializer("onnx::MatMul_787").toFloatArray();
        long[] q = int8.requireInitializer("onnx::MatMul_787_quantized").toLongArray();
        float[] scale = int8.requireInitializer("onnx::MatMul_787_scale").toFloatArray();
        long[] zero = int8.requireInitializer("onnx::MatMul_787_zero_point").toLongArray();
        assertThat(int8.requireInitializer("onnx::MatMul_787_scale").dims()).containsExactly(384);
        for (int i = 0; i < w.length; i++) {
            int column = i % 384;
            float restored = (q[i] - zero[column]) * scale[column];
            assertThat(restored).as("element %d", i).isCloseTo(w[i], within(scale[column] * 0.5f + 1e-6f));
        }
    }
}
