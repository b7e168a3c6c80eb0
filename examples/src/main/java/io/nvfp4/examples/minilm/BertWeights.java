package io.nvfp4.examples.minilm;

import io.nvfp4.io.onnx.OnnxFormatException;
import io.nvfp4.io.onnx.OnnxModel;
import io.nvfp4.io.onnx.OnnxNode;
import io.nvfp4.io.onnx.OnnxTensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fp32 weights of a BERT encoder, read from an ONNX export (the PyTorch names of the
 * {@code transformers} BertModel). Linear layers are kept in PyTorch's layout, {@code [out, in]}
 * row-major, which is what the quantizers block along {@code in}.
 *
 * <p>PyTorch's exporter folds each {@code nn.Linear} into a {@code MatMul} by an anonymous, transposed
 * {@code [in, out]} initializer ({@code onnx::MatMul_787}) followed by an {@code Add} of the named bias
 * ({@code encoder.layer.0.attention.self.query.bias}). The graph therefore says which weight is which:
 * a MatMul by an initializer whose output an Add combines with {@code <name>.bias} is the linear
 * layer {@code <name>}. Exports that keep the weight's own name ({@code <name>.weight}, {@code [out, in]})
 * are read too.
 *
 * @param config     the sizes
 * @param embeddings word, position and token type tables and their layer norm
 * @param layers     the transformer layers, first to last
 */
public record BertWeights(BertConfig config, Embeddings embeddings, List<Layer> layers) {

    /** An fp32 linear layer: y = x W^T + b. */
    public record Dense(String name, float[] weight, float[] bias, int in, int out) {}

    /** A layer norm's scale and shift. */
    public record Norm(float[] gamma, float[] beta) {}

    /** The embedding tables, each {@code [rows, hidden]} row-major. */
    public record Embeddings(float[] words, float[] positions, float[] types, Norm norm) {}

    /** One transformer layer. */
    public record Layer(Dense query, Dense key, Dense value, Dense attentionOutput, Norm attentionNorm,
                        Dense intermediate, Dense output, Norm outputNorm) {
        /** Its six linear layers, in the order they run. */
        public List<Dense> linears() {
            return List.of(query, key, value, attentionOutput, intermediate, output);
        }
    }

    /** Every linear layer of the encoder, layer by layer. */
    public List<Dense> linears() {
        return layers.stream().flatMap(l -> l.linears().stream()).toList();
    }

    /**
     * Reads the weights of a BERT encoder with {@code heads} attention heads from {@code model}.
     *
     * @throws OnnxFormatException if a weight is missing or has the wrong shape: the file is not a BERT
     *                             encoder exported from transformers
     */
    public static BertWeights from(OnnxModel model, int heads, float layerNormEpsilon) throws OnnxFormatException {
        Loader l = new Loader(model);
        float[] words = l.matrix("embeddings.word_embeddings.weight", -1, -1);
        int hidden = l.lastColumns;
        int vocabulary = words.length / hidden;
        float[] positions = l.matrix("embeddings.position_embeddings.weight", -1, hidden);
        int maxPositions = positions.length / hidden;
        float[] types = l.matrix("embeddings.token_type_embeddings.weight", -1, hidden);
        Embeddings embeddings = new Embeddings(words, positions, types, l.norm("embeddings.LayerNorm", hidden));

        List<Layer> layers = new ArrayList<>();
        int intermediate = -1;
        for (int i = 0; l.hasLinear("encoder.layer." + i + ".attention.self.query"); i++) {
            String p = "encoder.layer." + i + ".";
            Dense up = l.linear(p + "intermediate.dense", hidden, -1);
            intermediate = up.out();
            layers.add(new Layer(l.linear(p + "attention.self.query", hidden, hidden),
                    l.linear(p + "attention.self.key", hidden, hidden),
                    l.linear(p + "attention.self.value", hidden, hidden),
                    l.linear(p + "attention.output.dense", hidden, hidden),
                    l.norm(p + "attention.output.LayerNorm", hidden),
                    up,
                    l.linear(p + "output.dense", intermediate, hidden),
                    l.norm(p + "output.LayerNorm", hidden)));
        }
        if (layers.isEmpty()) {
            throw new OnnxFormatException(model.source(), "encoder.layer.0.attention.self.query", -1,
                    "no such linear layer: the model is not a BERT encoder exported from transformers");
        }
        if (hidden % heads != 0) {
            throw new OnnxFormatException(model.source(), null, -1, "hidden size " + hidden
                    + " does not split into " + heads + " attention heads");
        }
        BertConfig config = new BertConfig(vocabulary, hidden, layers.size(), heads, intermediate, maxPositions,
                types.length / hidden, layerNormEpsilon);
        return new BertWeights(config, embeddings, List.copyOf(layers));
    }

    /** Finds tensors by name and linear layers through the graph. */
    private static final class Loader {
        private final OnnxModel model;
        private final Map<String, String> matMulWeightByLinear = new HashMap<>();
        private int lastColumns;

        Loader(OnnxModel model) {
            this.model = model;
            Map<String, OnnxNode> consumer = new HashMap<>();
            for (OnnxNode n : model.nodes()) {
                if (n.opType().equals("Add")) {
                    for (String input : n.inputs()) {
                        consumer.put(input, n);
                    }
                }
            }
            for (OnnxNode n : model.nodes()) {
                if (!n.opType().equals("MatMul") || n.inputs().size() != 2 || n.outputs().size() != 1
                        || model.initializer(n.inputs().get(1)).isEmpty()) {
                    continue;
                }
                OnnxNode add = consumer.get(n.outputs().getFirst());
                if (add == null) {
                    continue;
                }
                for (String input : add.inputs()) {
                    if (input.endsWith(".bias") && model.initializer(input).isPresent()) {
                        matMulWeightByLinear.put(input.substring(0, input.length() - ".bias".length()),
                                n.inputs().get(1));
                    }
                }
            }
        }

        boolean hasLinear(String name) {
            return matMulWeightByLinear.containsKey(name) || model.initializer(name + ".weight").isPresent();
        }

        /** A linear layer [out, in]; -1 for a size not known yet. */
        Dense linear(String name, int in, int out) throws OnnxFormatException {
            float[] weight;
            String matMul = matMulWeightByLinear.get(name);
            if (matMul != null) {
                float[] inOut = matrix(matMul, in, out); // MatMul's [in, out]: transpose to [out, in]
                in = inOut.length / lastColumns;
                out = lastColumns;
                weight = new float[inOut.length];
                for (int k = 0; k < in; k++) {
                    for (int n = 0; n < out; n++) {
                        weight[n * in + k] = inOut[k * out + n];
                    }
                }
            } else if (model.initializer(name + ".weight").isPresent()) {
                weight = matrix(name + ".weight", out, in);
                in = lastColumns;
                out = weight.length / in;
            } else {
                throw new OnnxFormatException(model.source(), name, -1, "no such linear layer (neither a MatMul"
                        + " feeding an Add of " + name + ".bias nor an initializer " + name + ".weight)");
            }
            return new Dense(name, weight, vector(name + ".bias", out), in, out);
        }

        Norm norm(String name, int size) throws OnnxFormatException {
            return new Norm(vector(name + ".weight", size), vector(name + ".bias", size));
        }

        /** A 2-D float tensor with the given dimensions (-1: any), as an array; sets {@link #lastColumns}. */
        float[] matrix(String name, int rows, int columns) throws OnnxFormatException {
            OnnxTensor t = model.requireInitializer(name);
            long[] d = t.dims();
            if (d.length != 2 || (rows >= 0 && d[0] != rows) || (columns >= 0 && d[1] != columns) || d[0] < 1 || d[1] < 1) {
                throw shape(t, "[" + (rows < 0 ? "?" : rows) + ", " + (columns < 0 ? "?" : columns) + "]");
            }
            lastColumns = (int) d[1];
            return floats(t);
        }

        float[] vector(String name, int size) throws OnnxFormatException {
            OnnxTensor t = model.requireInitializer(name);
            long[] d = t.dims();
            if (d.length != 1 || d[0] != size) {
                throw shape(t, "[" + size + "]");
            }
            return floats(t);
        }

        private float[] floats(OnnxTensor t) throws OnnxFormatException {
            try {
                return t.toFloatArray();
            } catch (IllegalStateException e) {
                throw new OnnxFormatException(model.source(), t.name(), -1, e.getMessage());
            }
        }

        private OnnxFormatException shape(OnnxTensor t, String expected) {
            return new OnnxFormatException(model.source(), t.name(), -1, "shape " + java.util.Arrays.toString(t.dims())
                    + ", expected " + expected);
        }
    }

    /**
     * The anonymous MatMul initializer of each linear layer found through the graph, by layer name
     * ({@code encoder.layer.0.attention.self.query} to {@code onnx::MatMul_787}).
     */
    static Map<String, String> matMulInitializers(OnnxModel model) {
        return Map.copyOf(new Loader(model).matMulWeightByLinear);
    }
}
