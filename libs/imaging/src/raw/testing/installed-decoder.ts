import { NativeRawDecoder } from '../decoders/native.js';

/**
 * Which RAW decoder this machine has, for tests that must pass with either: native `dcraw_emu`
 * (Debian libraw-bin, installed by `npm run setup` as root) or, without it, LibRaw compiled to
 * WebAssembly. `scripts/test-raw-without-native.sh` runs the RAW suites with dcraw_emu hidden.
 */
export const NATIVE_RAW = await new NativeRawDecoder().available();
/** What `decoder:` to ask for: the native one when installed, else wasm. */
export const INSTALLED_DECODER: 'native' | 'wasm' = NATIVE_RAW ? 'native' : 'wasm';
/** The `source` a RAW developed by the installed decoder reports. */
export const INSTALLED_SOURCE: 'dcraw_emu' | 'libraw-wasm' = NATIVE_RAW ? 'dcraw_emu' : 'libraw-wasm';
