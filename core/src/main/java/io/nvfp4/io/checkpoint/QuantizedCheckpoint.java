package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.ModelFolder;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a model folder holds, read from its headers and config files alone (no tensor data): which
 * checkpoint layout and block format, its quantized weights, the modules its config excludes, and
 * every inconsistency between them that would make an engine load it wrongly.
 *
 * <p>The layout is recognised from the tensor names ({@code .weight_scale_2}: modelopt;
 * {@code .weight_packed}: compressed-tensors; {@code _blocks} with {@code _scales}: gpt-oss) and from
 * {@code config.json}'s {@code quantization_config} or modelopt's {@code hf_quant_config.json}; the
 * tensors decide, a disagreeing config is a {@linkplain #problems() problem}. Packed codes are read as
 * U8 [.., N, K/2] or F4 [.., N, K]; E8M0 scales as U8 or F8_E8M0 (checkpoints spec section 1).
 */
public final class QuantizedCheckpoint {
    private final ModelFolder folder;
    private final CheckpointLayout layout;
    private final BlockFormat format;
    private final String quantMethod;
    private final Map<String, Object> quantizationConfig;
    private final Map<String, Object> hfQuantConfig;
    private final List<QuantizedWeight> weights;
    private final Set<String> components;
    private final List<String> ignore;
    private final List<String> problems;
    private final List<String> notes;

    QuantizedCheckpoint(CheckpointReader b) {
        this.folder = b.folder;
        this.layout = b.layout;
        this.format = b.format;
        this.quantMethod = b.quantMethod;
        this.quantizationConfig = b.quantizationConfig;
        this.hfQuantConfig = b.hfQuantConfig;
        this.weights = List.copyOf(b.weights);
        Set<String> parts = new LinkedHashSet<>();
        b.weights.forEach(w -> parts.addAll(w.components()));
        this.components = Collections.unmodifiableSet(parts);
        this.ignore = List.copyOf(b.ignore);
        this.problems = List.copyOf(b.problems);
        this.notes = List.copyOf(b.notes);
    }

    /**
     * Reads what {@code folder} holds.
     *
     * @throws CheckpointException if the quantized tensors cannot be read as their layout defines
     *                             (a part missing, shapes or dtypes that disagree), or the config
     *                             names a quantization this library does not read
     */
    public static QuantizedCheckpoint of(ModelFolder folder) throws IOException {
        return CheckpointReader.read(folder);
    }

    /** The folder. */
    public ModelFolder folder() {
        return folder;
    }

    /** The layout, or empty for a dense (unquantized) model. */
    public Optional<CheckpointLayout> layout() {
        return Optional.ofNullable(layout);
    }

    /** The block format, or empty for a dense model. */
    public Optional<BlockFormat> format() {
        return Optional.ofNullable(format);
    }

    /** Whether the folder holds quantized weights. */
    public boolean isQuantized() {
        return layout != null;
    }

    /** {@code quantization_config.quant_method} of config.json, if any. */
    public Optional<String> quantMethod() {
        return Optional.ofNullable(quantMethod);
    }

    /** {@code config.json}'s {@code quantization_config}, if any. */
    public Optional<Map<String, Object>> quantizationConfig() {
        return Optional.ofNullable(quantizationConfig);
    }

    /** modelopt's {@code hf_quant_config.json}, if any. */
    public Optional<Map<String, Object>> hfQuantConfig() {
        return Optional.ofNullable(hfQuantConfig);
    }

    /** The quantized weights, in tensor order. */
    public List<QuantizedWeight> weights() {
        return weights;
    }

    /** The quantized weight whose dense tensor is {@code name}, if any. */
    public Optional<QuantizedWeight> weight(String name) {
        return weights.stream().filter(w -> w.name().equals(name)).findFirst();
    }

    /** Names of every tensor that belongs to a quantized weight. */
    public Set<String> components() {
        return components;
    }

    /** The modules the config excludes from quantization, as written there (patterns included). */
    public List<String> ignore() {
        return ignore;
    }

    /** Whether the config excludes {@code module}, matched as the layout's readers match. */
    public boolean ignores(String module) {
        return ExclusionLists.matches(layout, ignore, module);
    }

    /** Inconsistencies an engine would trip over; empty when the checkpoint is sound. */
    public List<String> problems() {
        return problems;
    }

    /** Observations worth a line that are not errors. */
    public List<String> notes() {
        return notes;
    }

    @Override
    public String toString() {
        return "QuantizedCheckpoint[" + folder.path() + ", " + (layout == null ? "dense" : layout + " " + format)
                + ", " + weights.size() + " quantized weights]";
    }
}
