package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.Tensor;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One quantized weight of a checkpoint: the dense tensor it stands for and the tensors that hold it
 * (packed codes, block scales, tensor scale). A weight holds one matrix, or one per expert for the
 * 3-D expert tensors of MoE models; {@link #matrix(long)} views each as a {@link QuantizedMatrix}
 * without copying.
 *
 * <p>Matrices are [rows x columns] = [N x K] with blocks along K, as stored. The dense tensor is
 * [experts..., N, K], except in the gpt-oss layout, whose dense tensors are [E, K, N]: each expert's
 * transpose ({@link #transposed()}), as transformers' {@code convert_moe_packed_tensors} returns them.
 */
public final class QuantizedWeight {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelFolder folder;
    private final String name;
    private final String module;
    private final CheckpointLayout layout;
    private final BlockFormat format;
    private final Recipe recipe;
    private final long[] denseShape;
    private final long experts;
    private final long rows;
    private final long columns;
    private final boolean transposed;
    private final String codes;
    private final String scales;
    private final String tensorScale;
    private final List<String> components;

    QuantizedWeight(ModelFolder folder, String name, String module, CheckpointLayout layout, BlockFormat format,
                    Recipe recipe, long[] denseShape, long experts, long rows, long columns, boolean transposed,
                    String codes, String scales, String tensorScale, List<String> components) {
        this.folder = folder;
        this.name = name;
        this.module = module;
        this.layout = layout;
        this.format = format;
        this.recipe = recipe;
        this.denseShape = denseShape.clone();
        this.experts = experts;
        this.rows = rows;
        this.columns = columns;
        this.transposed = transposed;
        this.codes = codes;
        this.scales = scales;
        this.tensorScale = tensorScale;
        this.components = List.copyOf(components);
    }

    /** The dense tensor's name: {@code <p>.weight}, or {@code <p>} in the gpt-oss layout. */
    public String name() {
        return name;
    }

    /** The module the weight belongs to, as exclusion lists name it. */
    public String module() {
        return module;
    }

    /** The layout. */
    public CheckpointLayout layout() {
        return layout;
    }

    /** NVFP4 or MXFP4. */
    public BlockFormat format() {
        return format;
    }

    /** The recipe the matrices are wrapped with: it fixes how the tensor scale decodes, not how the bytes were made. */
    public Recipe recipe() {
        return recipe;
    }

    /** The dense tensor's shape. */
    public long[] shape() {
        return denseShape.clone();
    }

    /** Matrices held: the product of the leading (expert) dimensions, 1 for a plain linear weight. */
    public long experts() {
        return experts;
    }

    /** Rows N of each matrix. */
    public long rows() {
        return rows;
    }

    /** Columns K of each matrix, along which the blocks run. */
    public long columns() {
        return columns;
    }

    /** Whether the dense tensor is each matrix transposed ([E, K, N], the gpt-oss layout). */
    public boolean transposed() {
        return transposed;
    }

    /** The names of the tensors that hold this weight (codes, scales, tensor scale, activation scales). */
    public List<String> components() {
        return components;
    }

    /** The packed codes' tensor name. */
    public String codesTensor() {
        return codes;
    }

    /** The block scales' tensor name. */
    public String scalesTensor() {
        return scales;
    }

    /** The tensor scale's tensor name, or null (MXFP4). */
    public String tensorScaleTensor() {
        return tensorScale;
    }

    /** Elements of the dense tensor. */
    public long elementCount() {
        return experts * rows * columns;
    }

    /**
     * Matrix {@code expert} (0 for a plain linear weight), a zero-copy view of the mapped tensors.
     *
     * @throws CheckpointException if its tensor scale is not positive and finite
     */
    public QuantizedMatrix matrix(long expert) throws IOException {
        Objects.checkIndex(expert, experts);
        long codeBytes = rows * format.codeBytesPerRow(columns);
        long scaleBytes = rows * (columns / format.blockSize());
        MemorySegment c = folder.tensor(codes).data().asSlice(expert * codeBytes, codeBytes);
        MemorySegment s = folder.tensor(scales).data().asSlice(expert * scaleBytes, scaleBytes);
        float g = 1f;
        if (tensorScale != null) {
            Tensor t = folder.tensor(tensorScale);
            g = t.data().get(F32_LE, (t.info().numel() == 1 ? 0 : expert) * 4);
        }
        try {
            return QuantizedMatrix.wrap(format, recipe, rows, columns, c, s, ScaleLayout.ROW_MAJOR, g);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(folder.path() + ": tensor '" + (tensorScale == null ? codes : tensorScale)
                    + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " " + format + Arrays.toString(denseShape) + " (" + layout + ")";
    }
}
