/**
 * Reading model configs and checking arguments, once for every model: {@link dev.musicgen.internal.config.XpConfig}
 * (audiocraft's {@code xp.cfg}), {@link dev.musicgen.internal.config.JsonConfig} (Hugging Face {@code config.json}
 * fields with transformers' defaults) and {@link dev.musicgen.internal.config.Check} (argument checks whose messages
 * name the parameter, what is allowed and what was given). The model configs built from them are records in their
 * model's package. Internal API.
 */
package dev.musicgen.internal.config;
