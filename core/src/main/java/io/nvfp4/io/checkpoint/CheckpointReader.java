package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Recipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what {@link QuantizedCheckpoint#of} reports, from a folder's headers and config files: the
 * configs, the layout the tensor names show, each quantized weight's parts (checked against the
 * layout's shapes and dtypes), and the consistency of all of it.
 */
final class CheckpointReader {
    private static final String SCALE_2 = ".weight_scale_2";
    private static final String PACKED = ".weight_packed";
    private static final String BLOCKS = "_blocks";
    private static final String SCALES = "_scales";

    /** Reads {@code folder}. */
    static QuantizedCheckpoint read(ModelFolder folder) throws IOException {
        CheckpointReader r = new CheckpointReader(folder);
        r.readConfigs();
        r.detect();
        if (r.layout != null) {
            r.readWeights();
            ConsistencyChecks.check(r);
        }
        return new QuantizedCheckpoint(r);
    }

final ModelFolder folder;
    CheckpointLayout layout;
    BlockFormat format;
    String quantMethod;
    Map<String, Object> quantizationConfig;
    Map<String, Object> hfQuantConfig;
    boolean hasConfig;
    CheckpointLayout configLayout;
    final List<QuantizedWeight> weights = new ArrayList<>();
    final List<String> ignore = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    private CheckpointReader(ModelFolder folder) {
        this.folder = folder;
    }

    void readConfigs() throws IOException {
        Optional<Map<String, Object>> config = folder.config();
        hasConfig = config.isPresent();
        quantizationConfig = config.flatMap(c -> Json.object(c, QuantizationConfigs.QUANTIZATION_CONFIG)).orElse(null);
        if (folder.isFolder()) {
            Path hq = folder.path().resolve(QuantizationConfigs.HF_QUANT_CONFIG);
            if (Files.isRegularFile(hq)) {
                hfQuantConfig = Json.parseObject(hq);
            }
        }
        if (quantizationConfig != null) {
            quantMethod = Json.string(quantizationConfig, "quant_method").orElse(null);
            configLayout = switch (String.valueOf(quantMethod)) {
                case QuantizationConfigs.MODELOPT_METHOD, "modelopt_fp4", "modelopt_mixed" -> CheckpointLayout.MODELOPT;
                case QuantizationConfigs.CT_METHOD -> CheckpointLayout.COMPRESSED_TENSORS;
                case QuantizationConfigs.GPT_OSS_METHOD -> CheckpointLayout.GPT_OSS;
                default -> throw new CheckpointException(folder.path() + ": config.json quantization_config has quant_method '"
                        + quantMethod + "', which this tool does not read (it reads modelopt, compressed-tensors and mxfp4)");
            };
        } else if (hfQuantConfig != null) {
            configLayout = CheckpointLayout.MODELOPT;
        }
    }

    void detect() throws CheckpointException {
        Set<CheckpointLayout> found = new LinkedHashSet<>();
        for (String name : folder.names()) {
            if (name.endsWith(SCALE_2)) {
                found.add(CheckpointLayout.MODELOPT);
            } else if (name.endsWith(PACKED)) {
                found.add(CheckpointLayout.COMPRESSED_TENSORS);
            } else if (name.endsWith(BLOCKS) && folder.contains(stem(name, BLOCKS) + SCALES)) {
                found.add(CheckpointLayout.GPT_OSS);
            }
        }
        if (found.size() > 1) {
            throw new CheckpointException(folder.path() + ": tensors of several layouts (" + found
                    + ") in one checkpoint");
        }
        CheckpointLayout tensors = found.isEmpty() ? null : found.iterator().next();
        if (configLayout != null && tensors != null && configLayout != tensors) {
            problems.add("the config says " + configLayout + " but the tensors are in the " + tensors + " layout");
        }
        if (configLayout != null && tensors == null) {
            problems.add("the config says the model is quantized (" + configLayout + ") but no tensor is");
        }
        layout = tensors;
        if (layout == null) {
            return;
        }
        format = switch (layout) {
            case MODELOPT -> BlockFormat.NVFP4;
            case GPT_OSS -> BlockFormat.MXFP4;
            case COMPRESSED_TENSORS -> compressedTensorsFormat();
        };
    }

    /** nvfp4- or mxfp4-pack-quantized, from the config when it says, else from the scales' dtype. */
    private BlockFormat compressedTensorsFormat() throws CheckpointException {
        if (quantizationConfig != null && configLayout == CheckpointLayout.COMPRESSED_TENSORS) {
            Set<String> formats = new LinkedHashSet<>();
            Json.string(quantizationConfig, "format").ifPresent(formats::add);
            Json.object(quantizationConfig, "config_groups").ifPresent(groups -> groups.values().forEach(g -> {
                if (g instanceof Map<?, ?> m && m.get("format") instanceof String f) {
                    formats.add(f);
                }
            }));
            formats.remove("mixed-precision");
            if (formats.size() == 1) {
                String f = formats.iterator().next();
                return switch (f) {
                    case QuantizationConfigs.CT_NVFP4_FORMAT -> BlockFormat.NVFP4;
                    case QuantizationConfigs.CT_MXFP4_FORMAT -> BlockFormat.MXFP4;
                    default -> throw new CheckpointException(folder.path() + ": compressed-tensors format '" + f
                            + "' is not read by this tool (it reads nvfp4-pack-quantized and mxfp4-pack-quantized)");
                };
            }
            if (formats.size() > 1) {
                throw new CheckpointException(folder.path() + ": compressed-tensors formats " + formats
                        + " in one checkpoint; this tool reads one of nvfp4- and mxfp4-pack-quantized");
            }
        }
        for (String name : folder.names()) {
            if (name.endsWith(PACKED)) {
                String scale = stem(name, PACKED) + ".weight_scale";
                Optional<TensorInfo> s = folder.find(scale);
                if (s.isPresent()) {
                    return s.get().dtype() == SafetensorsDType.F8_E4M3 ? BlockFormat.NVFP4 : BlockFormat.MXFP4;
                }
            }
        }
        throw new CheckpointException(folder.path() + ": .weight_packed tensors without .weight_scale");
    }

    void readWeights() throws IOException {
        if (layout == CheckpointLayout.MODELOPT) {
            String algo = modeloptAlgo();
            if (algo != null && !algo.equals("NVFP4") && !algo.equals(QuantizationConfigs.MODELOPT_QUANT_ALGO)) {
                throw new CheckpointException(folder.path() + ": modelopt quant_algo '" + algo
                        + "' is not read by this tool (it reads NVFP4 and W4A16_NVFP4)");
            }
        }
        for (String name : folder.names()) {
            switch (layout) {
                case MODELOPT -> {
                    if (name.endsWith(SCALE_2)) {
                        String p = stem(name, SCALE_2);
                        weights.add(packed(p + ".weight", p, p + ".weight", p + ".weight_scale", name,
                                optional(p + ".input_scale")));
                    }
                }
                case COMPRESSED_TENSORS -> {
                    if (name.endsWith(PACKED)) {
                        String p = stem(name, PACKED);
                        String global = format == BlockFormat.NVFP4 ? p + ".weight_global_scale" : null;
                        weights.add(packed(p + ".weight", p, name, p + ".weight_scale", global,
                                optional(p + ".input_global_scale")));
                    }
                }
                case GPT_OSS -> {
                    if (name.endsWith(BLOCKS) && folder.contains(stem(name, BLOCKS) + SCALES)) {
                        weights.add(gptOss(stem(name, BLOCKS)));
                    }
                }
            }
        }
        switch (layout) {
            case MODELOPT -> {
                List<String> fromHq = hfQuantConfig == null ? null
                        : Json.object(hfQuantConfig, "quantization").map(q -> QuantizationConfigs.strings(q, "exclude_modules")).orElse(null);
                List<String> fromQc = quantizationConfig == null ? null : QuantizationConfigs.strings(quantizationConfig, "ignore");
                if (fromHq != null && fromQc != null && !new HashSet<>(fromHq).equals(new HashSet<>(fromQc))) {
                    problems.add("hf_quant_config.json exclude_modules " + fromHq + " and config.json ignore " + fromQc + " differ");
                }
                ignore.addAll(fromHq != null ? fromHq : fromQc != null ? fromQc : List.of());
            }
            case COMPRESSED_TENSORS -> {
                if (quantizationConfig != null) {
                    ignore.addAll(QuantizationConfigs.strings(quantizationConfig, "ignore"));
                }
            }
            case GPT_OSS -> {
                if (quantizationConfig != null) {
                    ignore.addAll(QuantizationConfigs.strings(quantizationConfig, "modules_to_not_convert"));
                }
            }
        }
    }

    private String modeloptAlgo() {
        String fromHq = hfQuantConfig == null ? null
                : Json.object(hfQuantConfig, "quantization").flatMap(q -> Json.string(q, "quant_algo")).orElse(null);
        String fromQc = quantizationConfig == null ? null : Json.string(quantizationConfig, "quant_algo").orElse(null);
        if (fromHq != null && fromQc != null && !fromHq.equals(fromQc)) {
            problems.add("hf_quant_config.json quant_algo '" + fromHq + "' and config.json quant_algo '" + fromQc + "' differ");
        }
        return fromHq != null ? fromHq : fromQc;
    }

    private List<String> optional(String name) {
        return folder.contains(name) ? List.of(name) : List.of();
    }

    /** A modelopt or compressed-tensors weight: codes [.., N, K/2], scales [.., N, K/block], tensor scale. */
    private QuantizedWeight packed(String dense, String module, String codes, String scales, String tensorScale,
                                   List<String> extras) throws CheckpointException {
        TensorInfo c = require(codes, dense);
        TensorInfo s = require(scales, dense);
        if (c.rank() < 2) {
            throw bad(codes, "packed codes must be at least 2-D, found " + Arrays.toString(c.shape()));
        }
        long[] lead = Arrays.copyOf(c.shape(), c.rank() - 1);
        long rows = c.dim(c.rank() - 2);
        long columns = switch (c.dtype()) {
            case U8 -> c.dim(c.rank() - 1) * 2;
            case F4 -> c.dim(c.rank() - 1);
            default -> throw bad(codes, "packed codes must be U8 or F4, found " + c.dtype());
        };
        int block = format.blockSize();
        SafetensorsDType scaleType = s.dtype();
        boolean scaleOk = format == BlockFormat.NVFP4 ? scaleType == SafetensorsDType.F8_E4M3
                : scaleType == SafetensorsDType.U8 || scaleType == SafetensorsDType.F8_E8M0;
        if (!scaleOk) {
            throw bad(scales, format + " block scales must be " + (format == BlockFormat.NVFP4 ? "F8_E4M3" : "U8 or F8_E8M0")
                    + ", found " + scaleType);
        }
        if (columns % block != 0) {
            throw bad(codes, "K = " + columns + " is not a multiple of the " + format + " block size " + block);
        }
        long[] expectedScales = Arrays.copyOf(lead, lead.length + 1);
        expectedScales[lead.length] = columns / block;
        if (!Arrays.equals(s.shape(), expectedScales)) {
            throw bad(scales, "shape " + Arrays.toString(s.shape()) + " does not fit codes " + codes
                    + Arrays.toString(c.shape()) + ": expected " + Arrays.toString(expectedScales));
        }
        long experts = 1;
        for (int i = 0; i < lead.length - 1; i++) {
            experts *= lead[i];
        }
        List<String> parts = new ArrayList<>(List.of(codes, scales));
        if (tensorScale != null) {
            TensorInfo g = require(tensorScale, dense);
            if (g.dtype() != SafetensorsDType.F32 || (g.numel() != 1 && g.numel() != experts)) {
                throw bad(tensorScale, "the tensor scale must be F32 with 1 or " + experts + " elements, found "
                        + g.dtype() + Arrays.toString(g.shape()));
            }
            parts.add(tensorScale);
        }
        parts.addAll(extras);
        long[] denseShape = Arrays.copyOf(lead, lead.length + 1);
        denseShape[lead.length] = columns;
        Recipe recipe = format == BlockFormat.MXFP4 ? MxRecipe.OCP
                : layout == CheckpointLayout.COMPRESSED_TENSORS ? Nvfp4Recipe.COMPRESSED_TENSORS : Nvfp4Recipe.MODELOPT;
        return new QuantizedWeight(folder, dense, module, layout, format, recipe, denseShape, experts, rows, columns,
                false, codes, scales, tensorScale, parts);
    }

    /** A gpt-oss expert weight: blocks [.., N, G, 16] and scales [.., N, G]; dense [.., K, N]. */
    private QuantizedWeight gptOss(String p) throws CheckpointException {
        String blocksName = p + BLOCKS;
        String scalesName = p + SCALES;
        TensorInfo c = require(blocksName, p);
        TensorInfo s = require(scalesName, p);
        if (c.dtype() != SafetensorsDType.U8 || c.rank() < 3 || c.dim(c.rank() - 1) != 16) {
            throw bad(blocksName, "gpt-oss blocks must be U8 [.., N, K/32, 16], found " + c.dtype() + Arrays.toString(c.shape()));
        }
        if ((s.dtype() != SafetensorsDType.U8 && s.dtype() != SafetensorsDType.F8_E8M0)
                || !Arrays.equals(s.shape(), Arrays.copyOf(c.shape(), c.rank() - 1))) {
            throw bad(scalesName, "gpt-oss scales must be U8 " + Arrays.toString(Arrays.copyOf(c.shape(), c.rank() - 1))
                    + ", found " + s.dtype() + Arrays.toString(s.shape()));
        }
        long rows = c.dim(c.rank() - 3);
        long columns = c.dim(c.rank() - 2) * 32;
        long experts = 1;
        for (int i = 0; i < c.rank() - 3; i++) {
            experts *= c.dim(i);
        }
        long[] dense = Arrays.copyOf(c.shape(), c.rank() - 1);
        dense[dense.length - 2] = columns;
        dense[dense.length - 1] = rows;
        return new QuantizedWeight(folder, p, TensorSelection.module(p), layout, BlockFormat.MXFP4, MxRecipe.OCP,
                dense, experts, rows, columns, true, blocksName, scalesName, null, List.of(blocksName, scalesName));
    }

    private TensorInfo require(String name, String weight) throws CheckpointException {
        return folder.find(name).orElseThrow(() -> new CheckpointException(folder.path() + ": quantized weight '" + weight
                + "' has no tensor '" + name + "' (" + layout + " layout)"));
    }

    private CheckpointException bad(String tensor, String detail) {
        return new CheckpointException(folder.path() + ": tensor '" + tensor + "': " + detail + " (" + layout + " layout)");
    }

    private static String stem(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }
}
