package io.nvfp4.examples.minilm;

import io.nvfp4.io.onnx.OnnxFormatException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading from files: the happy path, and each kind of bad file with the message it gets. */
class MiniLmLoadTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Path tokenizer;

    @BeforeAll
    static void writeTheModelFiles() throws IOException {
        model = Files.write(dir.resolve("model.onnx"), ModelResources.read(MiniLm.MODEL_RESOURCE, "test"));
        tokenizer = Files.write(dir.resolve("tokenizer.json"), ModelResources.read(MiniLm.TOKENIZER_RESOURCE, "test"));
    }

    @Test
    void loadsFromFilesLikeFromTheClassPath() throws Exception {
        MiniLm fromFiles = MiniLm.load(model, tokenizer, null);

        assertThat(fromFiles.weights().config()).isEqualTo(TestModel.model().weights().config());
        assertThat(fromFiles.onnx().source()).isEqualTo(model.toString());
        List<String> two = TestModel.texts().subList(0, 2);
        try (SentenceEmbedder a = fromFiles.embedder(WeightMode.FP32);
             SentenceEmbedder b = TestModel.model().embedder(WeightMode.FP32)) {
            assertThat(a.embed(two, 2)).isDeepEqualTo(b.embed(two, 2));
        }
        try (OrtEmbedder ort = fromFiles.ortFp32()) {
            assertThat(Retrieval.maxCosineDistance(ort.embed(two, 2), TestModel.reference())).isNotNaN();
        }
        assertThatThrownBy(fromFiles::ortInt8).isInstanceOf(IllegalStateException.class).hasMessage("no int8 model was given");
    }

    @Test
    void missingFilesAreNamed() {
        assertThatThrownBy(() -> MiniLm.load(dir.resolve("absent.onnx"), tokenizer, null))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("absent.onnx");
        assertThatThrownBy(() -> MiniLm.load(model, dir.resolve("absent.json"), null))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("absent.json");
    }

    @Test
    void aCorruptOrTruncatedModelIsAFormatError() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(bytes, 1 << 20));
        Path text = Files.writeString(dir.resolve("text.onnx"), "this is not a model\n");

        assertThatThrownBy(() -> MiniLm.load(truncated, tokenizer, null)).isInstanceOf(OnnxFormatException.class)
                .hasMessageStartingWith(truncated + ": ").hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> MiniLm.load(text, tokenizer, null)).isInstanceOf(OnnxFormatException.class)
                .hasMessageStartingWith(text + ": ");
    }

    /** A valid ONNX model without the tensor a BERT encoder needs: the real one with that tensor renamed. */
    @Test
    void anOnnxModelThatIsNotABertEncoderIsNamedAsSuch() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        byte[] name = "embeddings.word_embeddings.weight".getBytes(StandardCharsets.US_ASCII);
        int renamed = 0;
        for (int i = 0; i + name.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + name.length, name, 0, name.length)) {
                bytes[i + name.length - 1] = 'x'; // same length: the protobuf framing stays valid
                renamed++;
            }
        }
        assertThat(renamed).isPositive();
        Path other = Files.write(dir.resolve("other.onnx"), bytes);

        assertThatThrownBy(() -> MiniLm.load(other, tokenizer, null)).isInstanceOf(OnnxFormatException.class)
                .hasMessage(other + ": tensor 'embeddings.word_embeddings.weight': no such initializer in the graph");
    }

    @Test
    void aTokenizerThatIsNotUnderstoodOrDoesNotFitIsAFormatError() throws IOException {
        Path notJson = Files.writeString(dir.resolve("bad.json"), "<html>not json</html>");
        Path bpe = Files.writeString(dir.resolve("bpe.json"), Files.readString(tokenizer, StandardCharsets.UTF_8)
                .replace("\"type\":\"WordPiece\"", "\"type\":\"BPE\"").replace("\"type\": \"WordPiece\"", "\"type\": \"BPE\""));
        Path tooBig = Files.writeString(dir.resolve("big.json"), """
                {"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "far": 40000}},
                 "normalizer": null, "pre_tokenizer": {"type": "BertPreTokenizer"}, "post_processor": null}
                """);

        assertThatThrownBy(() -> MiniLm.load(model, notJson, null)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageStartingWith("tokenizer file " + notJson + ": not valid JSON");
        assertThatThrownBy(() -> MiniLm.load(model, bpe, null)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("model type is 'BPE'");
        assertThatThrownBy(() -> MiniLm.load(model, tooBig, null)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("its vocabulary has 40001 ids, the model's embedding table 30522 rows");
    }
}
