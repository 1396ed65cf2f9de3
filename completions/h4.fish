# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_h4_global_optspecs
    string join \n z/compress d/decompress t/test l/list o/output= c/stdout output-dir-flat= r/recursive f/force k/keep rm raw core= engine= require-core isolate T/threads= q/quiet v/verbose level= ultra fast= best B/block-size= no-check h/help V/version
end

function __fish_h4_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_h4_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_h4_using_subcommand
    set -l cmd (__fish_h4_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c h4 -n "__fish_h4_needs_command" -s o -l output -d 'Write the output to FILE (\'-\' for standard output)' -r -F
complete -c h4 -n "__fish_h4_needs_command" -l output-dir-flat -d 'Write each output into DIR (made if missing), named after its input without the input\'s directories' -r -F
complete -c h4 -n "__fish_h4_needs_command" -l core -d 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error' -r -F
complete -c h4 -n "__fish_h4_needs_command" -l engine -d 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)' -r -f -a "reference\t'The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta'"
complete -c h4 -n "__fish_h4_needs_command" -s T -l threads -d 'Worker threads (0: one per CPU)' -r
complete -c h4 -n "__fish_h4_needs_command" -l level -d 'Compression level, 1 (fastest) to 19 (smallest), also written -# (-1 ... -19); an engine with fewer levels uses its nearest one. Levels 20 to 22 need --ultra, as in zstd (without it they are 19)' -r
complete -c h4 -n "__fish_h4_needs_command" -l fast -d 'Faster than level 1: level -N, for engines that have such levels (others use their fastest) [default N: 1]' -r
complete -c h4 -n "__fish_h4_needs_command" -s B -l block-size -d 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine\'s preference, else 1M]' -r
complete -c h4 -n "__fish_h4_needs_command" -s z -l compress -d 'Compress (the default)'
complete -c h4 -n "__fish_h4_needs_command" -s d -l decompress -l uncompress -d 'Decompress FILE.h4 to FILE (as `unh4` does)'
complete -c h4 -n "__fish_h4_needs_command" -s t -l test -d 'Check the integrity of .h4 files, writing nothing'
complete -c h4 -n "__fish_h4_needs_command" -s l -l list -d 'List what .h4 files hold, as `h4 info` does (with -v, every block)'
complete -c h4 -n "__fish_h4_needs_command" -s c -l stdout -d 'Write to standard output, keeping the input files'
complete -c h4 -n "__fish_h4_needs_command" -s r -l recursive -d 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)'
complete -c h4 -n "__fish_h4_needs_command" -s f -l force -d 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs'
complete -c h4 -n "__fish_h4_needs_command" -s k -l keep -d 'Keep input files (the default)'
complete -c h4 -n "__fish_h4_needs_command" -l rm -d 'Remove each input file once its output is completely written and synced'
complete -c h4 -n "__fish_h4_needs_command" -l raw -d 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)'
complete -c h4 -n "__fish_h4_needs_command" -l require-core -d 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)'
complete -c h4 -n "__fish_h4_needs_command" -l isolate -d 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
complete -c h4 -n "__fish_h4_needs_command" -s q -l quiet -d 'Print errors only'
complete -c h4 -n "__fish_h4_needs_command" -s v -l verbose -d 'Print a summary line per file'
complete -c h4 -n "__fish_h4_needs_command" -l ultra -d 'Allow levels 20 to 22 (zstd\'s ultra levels, for cores that have them: more memory and time)'
complete -c h4 -n "__fish_h4_needs_command" -l best -d 'The smallest output: level 19'
complete -c h4 -n "__fish_h4_needs_command" -l no-check -d 'Do not decode each block a core made to check it before writing (for trusted cores; the reference engine is never checked)'
complete -c h4 -n "__fish_h4_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c h4 -n "__fish_h4_needs_command" -s V -l version -d 'Print version'
complete -c h4 -n "__fish_h4_needs_command" -a "compress" -d 'Compress FILEs to FILE.h4 (or stdin to stdout)'
complete -c h4 -n "__fish_h4_needs_command" -a "decompress" -d 'Decompress FILE.h4 to FILE (or stdin to stdout)'
complete -c h4 -n "__fish_h4_needs_command" -a "test" -d 'Check the integrity of .h4 files without writing anything'
complete -c h4 -n "__fish_h4_needs_command" -a "info" -d 'Show how .h4 files were made: engine, block size, blocks, sizes, ratio'
complete -c h4 -n "__fish_h4_needs_command" -a "verify" -d 'Check that an engine or core is safe to deploy: deterministic on every machine, lossless, identity-safe, robust, memory-clean, well-behaved in its host, leak-free, linear and thread-safe'
complete -c h4 -n "__fish_h4_needs_command" -a "bench" -d 'Measure compression ratio and speed of engines and cores'
complete -c h4 -n "__fish_h4_needs_command" -a "cores" -d 'List the cores `--core NAME` finds: name, version, levels, path'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s o -l output -d 'Write the output to FILE (\'-\' for standard output)' -r -F
complete -c h4 -n "__fish_h4_using_subcommand compress" -l output-dir-flat -d 'Write each output into DIR (made if missing), named after its input without the input\'s directories' -r -F
complete -c h4 -n "__fish_h4_using_subcommand compress" -l core -d 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error' -r -F
complete -c h4 -n "__fish_h4_using_subcommand compress" -l engine -d 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)' -r -f -a "reference\t'The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta'"
complete -c h4 -n "__fish_h4_using_subcommand compress" -s T -l threads -d 'Worker threads (0: one per CPU)' -r
complete -c h4 -n "__fish_h4_using_subcommand compress" -s B -l block-size -d 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine\'s preference, else 1M]' -r
complete -c h4 -n "__fish_h4_using_subcommand compress" -l format-version -d 'Container format to write: 2 (compact, indexed for random access) or 1 (readable by h4 0.1)' -r
complete -c h4 -n "__fish_h4_using_subcommand compress" -l level -d 'Reference engine effort, 1 (fastest) to 9 (smallest) [default: 2]; never needed to decompress' -r
complete -c h4 -n "__fish_h4_using_subcommand compress" -s c -l stdout -d 'Write to standard output, keeping the input files'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s r -l recursive -d 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s f -l force -d 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s k -l keep -d 'Keep input files (the default)'
complete -c h4 -n "__fish_h4_using_subcommand compress" -l rm -d 'Remove each input file once its output is completely written and synced'
complete -c h4 -n "__fish_h4_using_subcommand compress" -l raw -d 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)'
complete -c h4 -n "__fish_h4_using_subcommand compress" -l require-core -d 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)'
complete -c h4 -n "__fish_h4_using_subcommand compress" -l isolate -d 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s q -l quiet -d 'Print errors only'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s v -l verbose -d 'Print a summary line per file'
complete -c h4 -n "__fish_h4_using_subcommand compress" -l no-check -d 'Do not decode each block a core made to check it before writing (for trusted cores; the reference engine is never checked)'
complete -c h4 -n "__fish_h4_using_subcommand compress" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s o -l output -d 'Write the output to FILE (\'-\' for standard output)' -r -F
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l output-dir-flat -d 'Write each output into DIR (made if missing), named after its input without the input\'s directories' -r -F
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l core -d 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error' -r -F
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l engine -d 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)' -r -f -a "reference\t'The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta'"
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s T -l threads -d 'Worker threads (0: one per CPU)' -r
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l range -d 'Write only content bytes START to END-1 (END omitted: to the end), decoding only the blocks that hold them; needs -c or -o' -r
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s c -l stdout -d 'Write to standard output, keeping the input files'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s r -l recursive -d 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s f -l force -d 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s k -l keep -d 'Keep input files (the default)'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l rm -d 'Remove each input file once its output is completely written and synced'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l raw -d 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l require-core -d 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -l isolate -d 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s q -l quiet -d 'Print errors only'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s v -l verbose -d 'Print a summary line per file'
complete -c h4 -n "__fish_h4_using_subcommand decompress" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c h4 -n "__fish_h4_using_subcommand test" -l core -d 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error' -r -F
complete -c h4 -n "__fish_h4_using_subcommand test" -l engine -d 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)' -r -f -a "reference\t'The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta'"
complete -c h4 -n "__fish_h4_using_subcommand test" -s T -l threads -d 'Worker threads (0: one per CPU)' -r
complete -c h4 -n "__fish_h4_using_subcommand test" -l require-core -d 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)'
complete -c h4 -n "__fish_h4_using_subcommand test" -l isolate -d 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
complete -c h4 -n "__fish_h4_using_subcommand test" -s q -l quiet -d 'Print errors only'
complete -c h4 -n "__fish_h4_using_subcommand test" -s v -l verbose -d 'Print a summary line per file'
complete -c h4 -n "__fish_h4_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c h4 -n "__fish_h4_using_subcommand info" -l json -d 'Print JSON instead of a table'
complete -c h4 -n "__fish_h4_using_subcommand info" -l blocks -d 'Also list every block: where it lies in the file and in the content'
complete -c h4 -n "__fish_h4_using_subcommand info" -s h -l help -d 'Print help'
complete -c h4 -n "__fish_h4_using_subcommand verify" -l core -d 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error' -r -F
complete -c h4 -n "__fish_h4_using_subcommand verify" -l engine -d 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)' -r -f -a "reference\t'The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta'"
complete -c h4 -n "__fish_h4_using_subcommand verify" -l iterations -d 'Calls per input in the determinism check' -r
complete -c h4 -n "__fish_h4_using_subcommand verify" -l fuzz -d 'Corrupted payloads to feed the decoder in the robustness check' -r
complete -c h4 -n "__fish_h4_using_subcommand verify" -s T -l threads -d 'Threads for the concurrency checks' -r
complete -c h4 -n "__fish_h4_using_subcommand verify" -l timeout -d 'Seconds a check may go without progress before it counts as hung' -r
complete -c h4 -n "__fish_h4_using_subcommand verify" -l record -d 'Write the SHA-256 of the engine\'s output for every corpus input to FILE (conformance vectors; refused when outputs differ between processes)' -r -F
complete -c h4 -n "__fish_h4_using_subcommand verify" -l against -d 'Compare the engine\'s outputs with the conformance vectors in FILE (written by --record, on this or another machine)' -r -F
complete -c h4 -n "__fish_h4_using_subcommand verify" -l only -d 'Run only these rows (comma-separated, e.g. determinism,memory; abi always runs)' -r
complete -c h4 -n "__fish_h4_using_subcommand verify" -l require-core -d 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)'
complete -c h4 -n "__fish_h4_using_subcommand verify" -l memcheck -d 'Also run every check under valgrind (when installed)'
complete -c h4 -n "__fish_h4_using_subcommand verify" -l json -d 'Print JSON instead of a table'
complete -c h4 -n "__fish_h4_using_subcommand verify" -s q -l quiet -d 'Print only failures'
complete -c h4 -n "__fish_h4_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c h4 -n "__fish_h4_using_subcommand bench" -l core -d 'Measure the core at PATH or named NAME (repeatable)' -r -F
complete -c h4 -n "__fish_h4_using_subcommand bench" -l engine -d 'Measure a built-in engine (repeatable)' -r -f -a "reference\t'The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta'"
complete -c h4 -n "__fish_h4_using_subcommand bench" -s T -l threads -d 'Threads for the whole-pipeline runs (0: one per CPU)' -r
complete -c h4 -n "__fish_h4_using_subcommand bench" -s i -l iterations -d 'Runs of each measurement (the median is reported)' -r
complete -c h4 -n "__fish_h4_using_subcommand bench" -s B -l block-size -d 'Block size [default: each engine\'s preference, else 1M]' -r
complete -c h4 -n "__fish_h4_using_subcommand bench" -l no-check -d 'Measure cores without the compress-time round-trip check'
complete -c h4 -n "__fish_h4_using_subcommand bench" -l json -d 'Print JSON: one record per engine and input'
complete -c h4 -n "__fish_h4_using_subcommand bench" -s q -l quiet -d 'No progress bar'
complete -c h4 -n "__fish_h4_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c h4 -n "__fish_h4_using_subcommand cores" -l json -d 'Print JSON instead of a table'
complete -c h4 -n "__fish_h4_using_subcommand cores" -s h -l help -d 'Print help'
