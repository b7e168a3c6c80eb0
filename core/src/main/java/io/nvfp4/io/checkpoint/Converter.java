package io.nvfp4.io.checkpoint;

import io.nvfp4.backend.Backends;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.Ties;
import io.nvfp4.format.ZeroSign;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.MxScaleRule;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.DType;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Converts a dense Hugging Face model (a folder of bf16, f16 or f32 safetensors, sharded or not, or a
 * single {@code .safetensors} file) into an NVFP4 or MXFP4 checkpoint that vLLM, TensorRT-LLM and
 * SGLang load, with a per-tensor error report.
 *
 * <p><b>Memory is bounded</b> whatever the model's size: source files are memory-mapped, and each
 * quantized tensor is processed in chunks of about 2^20 elements (one chunk a worker thread in
 * flight), written straight to their place in the output file. A tensor's NVFP4 tensor scale needs
 * the whole tensor's amax, so a first pass over its chunks finds it, and every chunk is then quantized
 * with {@link Quantizer#withTensorAmax} of that amax, which gives the same bytes as quantizing the
 * tensor whole. Quantization goes through {@link Backends#get()}, the fastest backend present.
 *
 * <p><b>Files appear whole</b>: each output file is written to a hidden temporary file and renamed
 * into place when complete. Shards come first, then the other files of the folder, the configs and
 * the shard index, and the report last; a conversion that fails deletes what it wrote, and one that
 * is killed leaves complete shards at most, without the index and configs that make a folder a model.
 *
 * <p><b>Bit-exactness</b>: modelopt checkpoints use {@link Nvfp4Recipe#MODELOPT}; compressed-tensors
 * NVFP4 uses {@link Nvfp4Recipe#COMPRESSED_TENSORS_BF16} for bf16 sources (llm-compressor's
 * statistics are bf16 tensor ops on a bf16 model) and {@link Nvfp4Recipe#COMPRESSED_TENSORS} for
 * f32 and f16 sources; compressed-tensors MXFP4 uses {@link #COMPRESSED_TENSORS_MXFP4}. See
 * {@link #recipe}.
 */
public final class Converter {
    /** The report's file name in the output folder. */
    public static final String REPORT_FILE = "quantization_report.json";

    /**
     * compressed-tensors' MXFP4 ({@code mxfp4-pack-quantized}): the EVEN scale rule, ties to even, and
     * compressed-tensors' sign of zero.
     *
     * <p>Scale: its {@code generate_mxfp4_scales} rounds the block amax to a power of two by adding
     * {@code 1 << 5} to the bf16 bits and masking the mantissa ({@code 1 << 21} to the fp32 bits in the
     * versions that take fp32), then stores {@code 127 + floor(log2) - 2} clamped to [0, 255].
     * {@link MxScaleRule#EVEN} adds {@code 1 << (23 - 1 - 1)} = {@code 1 << 21} to the fp32 bits of the
     * amax and keeps the exponent: the same bits for any bf16 or fp32 amax, the same code (0) for an amax
     * of zero or below 2^-125, and the same clamp. They part only from 1.75 * 2^127 up, where the
     * rounding overflows to infinity in compressed-tensors (a NaN scale) and EVEN stores 2^126.
     *
     * <p>Elements: {@code x / 2^k}, exact, then its {@code cast_to_fp4} thresholds: round half to even,
     * saturate at 6; a negative that rounds to zero keeps its sign and -0.0 becomes +0, as in its NVFP4
     * path ({@link ZeroSign#NEGATIVE}).
     */
    public static final MxRecipe COMPRESSED_TENSORS_MXFP4 = new MxRecipe(MxScaleRule.EVEN, Ties.EVEN, ZeroSign.NEGATIVE);

    /** Elements a worker quantizes at a time: a few MB of buffers a thread, and many chunks a tensor. */
    static final long CHUNK_ELEMENTS = 1L << 20;
    /** Bytes a worker copies at a time for a tensor passed through unchanged. */
    static final long COPY_SLICE = 64L << 20;

    private Converter() {}

    /**
     * The recipe a conversion uses for a source tensor of type {@code source}: what the reference
     * exporter of the layout computes for a model of that type. F16 sources in the compressed-tensors
     * layout take {@link Nvfp4Recipe#COMPRESSED_TENSORS}: the fp16 values widen to fp32 exactly, and
     * this is llm-compressor on an fp32 copy of the model; llm-compressor run on the fp16 model itself
     * rounds its statistics to fp16, which no recipe reproduces, so its tensor scales may differ in the
     * last fp16 bits.
     *
     * @throws IllegalArgumentException for a layout or format that {@link ConversionOptions} refuses
     */
    public static Recipe recipe(CheckpointLayout layout, BlockFormat format, DType source) {
        Objects.requireNonNull(source, "source");
        if (format == BlockFormat.MXFP4 && layout == CheckpointLayout.COMPRESSED_TENSORS) {
            return COMPRESSED_TENSORS_MXFP4;
        }
        if (format == BlockFormat.NVFP4) {
            switch (layout) {
                case MODELOPT -> {
                    return Nvfp4Recipe.MODELOPT;
                }
                case COMPRESSED_TENSORS -> {
                    return source == DType.BF16 ? Nvfp4Recipe.COMPRESSED_TENSORS_BF16 : Nvfp4Recipe.COMPRESSED_TENSORS;
                }
                default -> { }
            }
        }
        throw new IllegalArgumentException("no " + format + " recipe for the " + layout + " layout");
    }

    /** The recipe's name in reports. */
    static String recipeName(Recipe recipe) {
        return recipe.equals(COMPRESSED_TENSORS_MXFP4) ? "COMPRESSED_TENSORS_MXFP4" : recipe.toString();
    }

    /** This library's version, from the module descriptor (or the jar manifest), else "unknown". */
    static String version() {
        ModuleDescriptor d = Converter.class.getModule().getDescriptor();
        if (d != null && d.rawVersion().isPresent()) {
            return d.rawVersion().get();
        }
        String v = Converter.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /**
     * Converts {@code input} into the folder {@code output}.
     *
     * @param input    a model folder or a single {@code .safetensors} file, with dense weights
     * @param output   a folder that does not exist or is empty (or any folder, with {@code overwrite})
     * @param listener hears the progress (from worker threads)
     * @return what was done
     * @throws CheckpointException if the input is already quantized or a tensor holds NaN or infinity
     * @throws IOException         if a file cannot be read or written, or the output folder is not usable
     */
    public static ConversionReport convert(Path input, Path output, ConversionOptions options, ConversionListener listener)
            throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        try (ModelFolder source = ModelFolder.open(input)) {
            return new ConversionRun(source, output, options, listener).run();
        }
    }
}
