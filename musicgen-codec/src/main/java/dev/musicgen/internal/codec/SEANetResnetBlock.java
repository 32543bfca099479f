package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Port of audiocraft {@code SEANetResnetBlock} ({@code modules/seanet.py} @ v1.2.0): {@code shortcut(x) + block(x)}
 * where block is (activation, conv k=residual_kernel_size dilated, activation, conv k=1) through {@code dim /
 * compress} hidden channels, and shortcut is the identity ({@code true_skip}) or a 1x1 conv.
 */
final class SEANetResnetBlock implements Layer {
    private final List<Layer> block = new ArrayList<>();
    private final StreamableConv1d shortcut; // null for true_skip

    /** @param w the view of this block ({@code ...layers.I.}), holding {@code block.J.conv.*} and {@code shortcut.conv.*} */
    SEANetResnetBlock(
            WeightStore w,
            NDManager manager,
            SEANetConfig cfg,
            int dim,
            int[] kernelSizes,
            int[] dilations,
            boolean weightNorm) {
        int hidden = dim / cfg.compress();
        for (int i = 0; i < kernelSizes.length; i++) {
            int in = i == 0 ? dim : hidden;
            int out = i == kernelSizes.length - 1 ? dim : hidden;
            block.add(Act.of(cfg.activation(), cfg.activationParams()));
            // nn.Sequential index of this conv is 2i+1 (activations sit at the even indices)
            block.add(new StreamableConv1d(
                    w.view("block." + (2 * i + 1) + ".conv"),
                    manager,
                    in,
                    out,
                    kernelSizes[i],
                    1,
                    dilations[i],
                    cfg.causal(),
                    cfg.padMode(),
                    weightNorm));
        }
        shortcut = cfg.trueSkip()
                ? null
                : new StreamableConv1d(
                        w.view("shortcut.conv"), manager, dim, dim, 1, 1, 1, cfg.causal(), cfg.padMode(), weightNorm);
    }

    /** x [B, dim, T] -> [B, dim, T]. */
    @Override
    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (Layer l : block) {
            h = l.forward(h);
        }
        NDArray s = shortcut == null ? x : shortcut.forward(x);
        // h is this block's own temporary: add in place (one allocation less); same sum as shortcut(x) + block(x)
        return h.addi(s);
    }
}
