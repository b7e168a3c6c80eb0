package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config JSON a checkpoint carries, as the reference exporters write it.
 *
 * <p>The checkpoints written here are <b>weight-only</b>: a data-free conversion sees no activations,
 * so it has no {@code input_scale} to write. They are labelled so, which is what engines need to
 * pick a W4A16 kernel instead of expecting activation scales that are not there: modelopt
 * {@code quant_algo "W4A16_NVFP4"} (modelopt's {@code convert_hf_quant_config_format} writes its
 * config group with {@code weights} and no {@code input_activations}); compressed-tensors presets
 * {@code NVFP4A16} and {@code MXFP4A16} ({@code input_activations: null}).
 */
final class QuantizationConfigs {
    /** modelopt's weight-only NVFP4 algorithm name. */
    static final String MODELOPT_QUANT_ALGO = "W4A16_NVFP4";
    /** compressed-tensors format names. */
    static final String CT_NVFP4_FORMAT = "nvfp4-pack-quantized";
    static final String CT_MXFP4_FORMAT = "mxfp4-pack-quantized";
    /** Quant-method values of {@code quantization_config}. */
    static final String MODELOPT_METHOD = "modelopt";
    static final String CT_METHOD = "compressed-tensors";
    static final String GPT_OSS_METHOD = "mxfp4";
    /** The modelopt side file. */
    static final String HF_QUANT_CONFIG = "hf_quant_config.json";
    /** The key of {@code config.json} that holds the quantization config. */
    static final String QUANTIZATION_CONFIG = "quantization_config";

    private QuantizationConfigs() {}

    /** Who wrote the checkpoint: modelopt's {@code producer} object, naming this tool instead. */
    static Map<String, Object> producer(String version) {
        Map<String, Object> producer = new LinkedHashMap<>();
        producer.put("name", "nvfp4-java");
        producer.put("version", version);
        return producer;
    }

    /**
     * {@code hf_quant_config.json} in modelopt's key order ({@code get_quant_config}): vLLM requires
     * {@code group_size}, {@code kv_cache_quant_algo} and {@code exclude_modules} to be present.
     */
    static Map<String, Object> hfQuantConfig(List<String> excluded, String version) {
        Map<String, Object> quantization = new LinkedHashMap<>();
        quantization.put("quant_algo", MODELOPT_QUANT_ALGO);
        quantization.put("kv_cache_quant_algo", null);
        quantization.put("group_size", BlockFormat.NVFP4.blockSize());
        quantization.put("exclude_modules", List.copyOf(excluded));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("producer", producer(version));
        config.put("quantization", quantization);
        return config;
    }

    /**
     * modelopt's {@code config.json} {@code quantization_config}, in the key order of modelopt's
     * {@code convert_hf_quant_config_format} for {@code W4A16_NVFP4} (no kv-cache scheme: it is null).
     */
    static Map<String, Object> modeloptQuantizationConfig(List<String> excluded, String version) {
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("dynamic", false);
        weights.put("num_bits", 4);
        weights.put("type", "float");
        weights.put("group_size", BlockFormat.NVFP4.blockSize());
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("weights", weights);
        group.put("targets", List.of("Linear"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("config_groups", Map.of("group_0", group));
        config.put("ignore", List.copyOf(excluded));
        config.put("quant_algo", MODELOPT_QUANT_ALGO);
        config.put("producer", producer(version));
        config.put("quant_method", MODELOPT_METHOD);
        return config;
    }

    /**
     * compressed-tensors' {@code quantization_config} for the weight-only preset of {@code format}
     * ({@code NVFP4A16}: tensor_group of 16 with float8_e4m3fn scales; {@code MXFP4A16}: group of 32
     * with uint8 exponents). Keys sorted, as transformers' {@code save_pretrained} writes
     * {@code config.json} ({@code sort_keys=True}); the fields are pydantic's dump of
     * {@code QuantizationConfig} and {@code QuantizationArgs}.
     */
    static Map<String, Object> compressedTensorsConfig(BlockFormat format, List<String> ignore) {
        boolean nvfp4 = format == BlockFormat.NVFP4;
        String formatName = nvfp4 ? CT_NVFP4_FORMAT : CT_MXFP4_FORMAT;
        Map<String, Object> weights = new TreeMap<>();
        weights.put("actorder", null);
        weights.put("block_structure", null);
        weights.put("dynamic", false);
        weights.put("group_size", format.blockSize());
        weights.put("num_bits", 4);
        weights.put("observer", "memoryless_minmax");
        weights.put("observer_kwargs", Map.of());
        weights.put("scale_dtype", nvfp4 ? "float8_e4m3fn" : "uint8");
        weights.put("strategy", nvfp4 ? "tensor_group" : "group");
        weights.put("symmetric", true);
        weights.put("type", "float");
        weights.put("zp_dtype", null);
        Map<String, Object> group = new TreeMap<>();
        group.put("format", formatName);
        group.put("input_activations", null);
        group.put("output_activations", null);
        group.put("targets", List.of("Linear"));
        group.put("weights", weights);
        Map<String, Object> config = new TreeMap<>();
        config.put("config_groups", Map.of("group_0", group));
        config.put("format", formatName);
        config.put("global_compression_ratio", null);
        config.put("ignore", List.copyOf(ignore));
        config.put("kv_cache_scheme", null);
        config.put("quant_method", CT_METHOD);
        config.put("quantization_status", "compressed");
        config.put("sparsity_config", Map.of());
        config.put("transform_config", Map.of());
        return config;
    }

    /**
     * {@code config} with {@code quantization_config} set. A config whose keys are sorted (as
     * transformers writes them) stays sorted; otherwise the key goes last.
     */
    static Map<String, Object> withQuantizationConfig(Map<String, Object> config, Map<String, Object> quantization) {
        Map<String, Object> copy = new LinkedHashMap<>(config);
        copy.remove(QUANTIZATION_CONFIG);
        boolean sorted = isSorted(copy.keySet());
        copy.put(QUANTIZATION_CONFIG, quantization);
        return sorted ? new LinkedHashMap<>(new TreeMap<>(copy)) : copy;
    }

    /** {@code config} without {@code quantization_config} (a dequantized model is dense again). */
    static Map<String, Object> withoutQuantizationConfig(Map<String, Object> config) {
        Map<String, Object> copy = new LinkedHashMap<>(config);
        copy.remove(QUANTIZATION_CONFIG);
        return copy;
    }

    private static boolean isSorted(Iterable<String> keys) {
        String previous = null;
        for (String k : keys) {
            if (previous != null && previous.compareTo(k) > 0) {
                return false;
            }
            previous = k;
        }
        return true;
    }

    /** The string entries of list {@code key} of {@code object}; non-strings are skipped. */
    static List<String> strings(Map<String, Object> object, String key) {
        List<String> out = new ArrayList<>();
        Json.array(object, key).ifPresent(list -> list.forEach(v -> {
            if (v instanceof String s) {
                out.add(s);
            }
        }));
        return out;
    }
}
