package io.nvfp4.metrics;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantizationReportTest {

    @Test
    void measuresTensorsBlocksAndBytes() {
        float[] w = new float[4 * 48];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i * 0.7) * (i % 48 < 16 ? 0 : 1); // the first block of every row is zero
        }
        FloatMatrix source = FloatMatrix.of(w, 4, 48);
        QuantizedMatrix q = Quantizer.nvfp4().quantize(source);
        QuantizationReport.Row row = QuantizationReport.measure("layer.0.weight", source, q, "MODELOPT");

        assertThat(row.error()).isEqualTo(ErrorStats.compare(w, io.nvfp4.quantize.Dequantizer.dequantize(q)));
        assertThat(row.blocks().totalBlocks()).isEqualTo(4 * 3);
        assertThat(row.blocks().exactBlocks()).isGreaterThanOrEqualTo(4); // the zero blocks
        assertThat(row.bytesBefore()).isEqualTo(4 * 48 * 4);
        assertThat(row.bytesAfter()).isEqualTo(4 * 24 + 4 * 3 + 4);

        QuantizationReport report = new QuantizationReport(List.of(row,
                QuantizationReport.measure("exact", FloatMatrix.of(new float[32], 1, 32),
                        Quantizer.mx(BlockFormat.MXFP4).quantize(new float[32], 1, 32), "OCP")));
        assertThat(report.toTable()).contains("layer.0.weight", "4x48", "NVFP4", "total (2 tensors)");
        String json = report.toJson();
        assertThat(json).contains("\"name\" : \"layer.0.weight\"", "\"shape\" : [ 4, 48 ]", "\"sqnr_db\" : null",
                "\"block_sqnr_histogram\"", "\">=40\"", "\"exact\" : 1");
    }

    @Test
    void histogramBinsAreHalfOpenAndLabelled() {
        BlockSqnrHistogram h = new BlockSqnrHistogram();
        h.add(1, 1);      // 0 dB: bin 0-5
        h.add(100, 1);    // 20 dB: bin 20-25
        h.add(1, 10);     // -10 dB: bin <0
        h.add(1e9, 1);    // 90 dB: >=40
        h.add(5, 0);      // exact
        assertThat(BlockSqnrHistogram.labels()).containsExactly("<0", "0-5", "5-10", "10-15", "15-20", "20-25",
                "25-30", "30-35", "35-40", ">=40");
        assertThat(h.counts()).containsExactly(1, 1, 0, 0, 0, 1, 0, 0, 0, 1);
        assertThat(h.blocksBelow(10)).isEqualTo(2);
        assertThat(h.totalBlocks()).isEqualTo(5);
        assertThat(h).hasToString("<0 dB:1 0-5 dB:1 20-25 dB:1 >=40 dB:1 exact:1");
    }

    @Test
    void shapesMustMatch() {
        QuantizedMatrix q = Quantizer.nvfp4().quantize(new float[32], 2, 16);
        assertThatThrownBy(() -> QuantizationReport.measure("t", FloatMatrix.of(new float[32], 1, 32), q, "m"))
                .hasMessageContaining("t: source is 1 x 32, quantized 2 x 16");
    }
}
