package io.nvfp4.tensor;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantizedMatrixTest {

    @Test
    void swizzledOffsetsFollowTheCublasTileFormula() {
        ScaleLayout s = ScaleLayout.SWIZZLED_128X4;
        long columns = 6; // padded to 8: two 4-column tiles per 128-row band
        assertThat(s.byteSize(130, columns)).isEqualTo(256 * 8);
        assertThat(s.offset(0, 0, columns)).isEqualTo(0);
        assertThat(s.offset(0, 3, columns)).isEqualTo(3);
        assertThat(s.offset(1, 0, columns)).isEqualTo(16);       // row j of a 32-row sub-tile: 16 j
        assertThat(s.offset(32, 0, columns)).isEqualTo(4);       // sub-tile i: 4 i
        assertThat(s.offset(97, 2, columns)).isEqualTo(16 + 3 * 4 + 2);
        assertThat(s.offset(0, 4, columns)).isEqualTo(512);      // next column tile
        assertThat(s.offset(128, 0, columns)).isEqualTo(2 * 512); // next row band, after its two tiles
        assertThat(s.offset(129, 5, columns)).isEqualTo(3 * 512 + 16 + 1);
    }

    @Test
    void swizzlingIsABijectionOnTheUnpaddedScales() {
        long rows = 200;
        long columns = 7;
        boolean[] seen = new boolean[(int) ScaleLayout.SWIZZLED_128X4.byteSize(rows, columns)];
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < columns; c++) {
                int at = (int) ScaleLayout.SWIZZLED_128X4.offset(r, c, columns);
                assertThat(seen[at]).as("(%d, %d) collides", r, c).isFalse();
                seen[at] = true;
            }
        }
    }

    @Test
    void sizesRecipeAndTensorScaleAreChecked() {
        byte[] codes = new byte[2 * 8];
        byte[] scales = new byte[2];
        assertThat(QuantizedMatrix.copyOf(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, 2, 16, codes, scales,
                ScaleLayout.ROW_MAJOR, 0.5f).toString()).contains("NVFP4[2 x 16");
        assertThatThrownBy(() -> QuantizedMatrix.copyOf(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, 2, 16, new byte[15],
                scales, ScaleLayout.ROW_MAJOR, 1f)).hasMessageContaining("needs 16 code bytes");
        assertThatThrownBy(() -> QuantizedMatrix.copyOf(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, 2, 16, codes,
                scales, ScaleLayout.SWIZZLED_128X4, 1f)).hasMessageContaining("needs 512 scale bytes in layout SWIZZLED_128X4");
        assertThatThrownBy(() -> QuantizedMatrix.copyOf(BlockFormat.MXFP4, Nvfp4Recipe.MODELOPT, 2, 32, codes,
                scales, ScaleLayout.ROW_MAJOR, 1f)).hasMessageContaining("does not describe MXFP4");
        assertThatThrownBy(() -> QuantizedMatrix.copyOf(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, 2, 16, codes,
                scales, ScaleLayout.ROW_MAJOR, Float.NaN)).hasMessageContaining("tensor scale must be positive");
        assertThatThrownBy(() -> QuantizedMatrix.copyOf(BlockFormat.MXFP4, MxRecipe.OCP, 1, 32, codes,
                new byte[1], ScaleLayout.ROW_MAJOR, 2f)).hasMessageContaining("has no tensor scale");
        assertThatThrownBy(() -> QuantizedMatrix.copyOf(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, 2, 16, codes,
                scales, ScaleLayout.ROW_MAJOR, 1f).code(0, 16)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theDataHandedOutIsReadOnlyAndCopiesAreIndependent() {
        byte[] codes = new byte[8];
        QuantizedMatrix q = QuantizedMatrix.copyOf(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, 1, 16, codes,
                new byte[] {0x38}, ScaleLayout.ROW_MAJOR, 1f);
        codes[0] = 0x77;
        assertThat(q.code(0, 0)).isZero();
        assertThat(q.codes().isReadOnly()).isTrue();
        assertThat(q.scales().isReadOnly()).isTrue();
        assertThatThrownBy(() -> q.codes().set(ValueLayout.JAVA_BYTE, 0, (byte) 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A mapped, sparse 2.3 GB tensor: offsets past 2^31 work and nothing is copied. */
    @Test
    void tensorsBeyondTwoGigabytesWorkThroughLongOffsets(@TempDir Path dir) throws IOException {
        long k = 1 << 16;
        long rows = ((1L << 31) + (1L << 25)) / (k / 2);
        long codeBytes = rows * k / 2;
        long scaleBytes = rows * k / 16;
        try (Arena arena = Arena.ofConfined();
             FileChannel codeFile = FileChannel.open(dir.resolve("codes"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
             FileChannel scaleFile = FileChannel.open(dir.resolve("scales"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            MemorySegment codes = codeFile.map(FileChannel.MapMode.READ_WRITE, 0, codeBytes, arena);
            MemorySegment scales = scaleFile.map(FileChannel.MapMode.READ_WRITE, 0, scaleBytes, arena);
            codes.set(ValueLayout.JAVA_BYTE, codeBytes - 1, (byte) 0xD0); // last column: code 0xD = -3
            scales.set(ValueLayout.JAVA_BYTE, scaleBytes - 1, (byte) 0x40); // 2.0
            QuantizedMatrix q = QuantizedMatrix.wrap(BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT, rows, k, codes, scales,
                    ScaleLayout.ROW_MAJOR, 0.25f);
            assertThat(codeBytes).isGreaterThan(Integer.MAX_VALUE);
            assertThat(q.code(rows - 1, k - 1)).isEqualTo(0xD);
            assertThat(q.get(rows - 1, k - 1)).isEqualTo(-3f * 2f * 0.25f);
            assertThat(q.get(rows - 1, k - 2)).isZero();
        }
    }

    @Test
    void ggmlBlocksRepackLosslesslyBothWays() {
        float[] x = new float[3 * 128];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37) * (1 + i % 9);
        }
        QuantizedMatrix nv = Quantizer.nvfp4(Nvfp4Recipe.GGML).quantize(x, 3, 128);
        MemorySegment blocks = GgmlBlocks.toNvfp4Blocks(nv);
        assertThat(blocks.byteSize()).isEqualTo(3 * 2 * 36);
        QuantizedMatrix back = GgmlBlocks.fromNvfp4Blocks(blocks, 3, 128);
        assertThat(back.codes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(nv.codes().toArray(ValueLayout.JAVA_BYTE));
        assertThat(back.scales().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(nv.scales().toArray(ValueLayout.JAVA_BYTE));

        QuantizedMatrix mx = Quantizer.mx(BlockFormat.MXFP4).quantize(x, 3, 128);
        QuantizedMatrix mxBack = GgmlBlocks.fromMxfp4Blocks(GgmlBlocks.toMxfp4Blocks(mx), 3, 128, MxRecipe.OCP);
        assertThat(mxBack.codes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(mx.codes().toArray(ValueLayout.JAVA_BYTE));
        assertThat(mxBack.scales().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(mx.scales().toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void ggmlRepackingRefusesWhatItCannotCarry() {
        float[] x = new float[64];
        x[3] = 5;
        QuantizedMatrix withTensorScale = Quantizer.nvfp4().quantize(x, 1, 64);
        assertThatThrownBy(() -> GgmlBlocks.toNvfp4Blocks(withTensorScale)).hasMessageContaining("no tensor scale");
        QuantizedMatrix ragged = Quantizer.nvfp4(Nvfp4Recipe.GGML).quantize(new float[48], 1, 48);
        assertThatThrownBy(() -> GgmlBlocks.toNvfp4Blocks(ragged)).hasMessageContaining("not a multiple");
        byte[] bad = new byte[36];
        bad[2] = (byte) 0x7F;
        assertThatThrownBy(() -> GgmlBlocks.fromNvfp4Blocks(MemorySegment.ofArray(bad), 1, 64))
                .hasMessageContaining("0x7F at row 0, block 2");
        byte[] nanScale = new byte[17];
        nanScale[0] = (byte) 0xFF;
        assertThatThrownBy(() -> GgmlBlocks.fromMxfp4Blocks(MemorySegment.ofArray(nanScale), 1, 32, MxRecipe.GGML))
                .hasMessageContaining("0xFF");
        assertThatThrownBy(() -> GgmlBlocks.fromMxfp4Blocks(MemorySegment.ofArray(new byte[16]), 1, 32, MxRecipe.GGML))
                .hasMessageContaining("needs 17 bytes");
    }
}
