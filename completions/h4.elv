
use builtin;
use str;

set edit:completion:arg-completer[h4] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'h4'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'h4'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand compress 'Compress FILEs to FILE.h4 (or stdin to stdout)'
            cand decompress 'Decompress FILE.h4 to FILE (or stdin to stdout)'
            cand test 'Check the integrity of .h4 files without writing anything'
            cand info 'Show how .h4 files were made: engine, block size, blocks, sizes, ratio'
            cand verify 'Check that an engine or core is deterministic, lossless, robust, leak-free and thread-safe'
            cand bench 'Measure compression ratio and speed of engines and cores'
            cand generate 'Write the man pages and shell completions into DIR/man and DIR/completions (for packagers; the repository has them committed)'
            cand __verify-check '(internal) Run one verify check; used by `h4 verify`'
            cand __core-helper '(internal) Serve calls of a core in a sandbox; used by --isolate'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'h4;compress'= {
            cand -o 'Write the output to FILE (''-'' for standard output)'
            cand --output 'Write the output to FILE (''-'' for standard output)'
            cand --core 'Use the core library at PATH (a failure to load it is an error)'
            cand --engine 'Use a built-in engine, ignoring HARMONY4_CORE_PATH'
            cand -T 'Worker threads (0: one per CPU)'
            cand --threads 'Worker threads (0: one per CPU)'
            cand -B 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine''s preference, else 1M]'
            cand --block-size 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine''s preference, else 1M]'
            cand --format-version 'Container format to write: 2 (compact, indexed for random access) or 1 (readable by h4 0.1)'
            cand --level 'Reference engine effort, 1 (fastest) to 9 (smallest) [default: 2]; never needed to decompress'
            cand -c 'Write to standard output, keeping the input files'
            cand --stdout 'Write to standard output, keeping the input files'
            cand -f 'Overwrite existing outputs; allow compressed data on a terminal'
            cand --force 'Overwrite existing outputs; allow compressed data on a terminal'
            cand -k 'Keep input files (the default)'
            cand --keep 'Keep input files (the default)'
            cand --rm 'Remove each input file once its output is completely written and synced'
            cand --raw 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)'
            cand --isolate 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'Print a summary line per file'
            cand --verbose 'Print a summary line per file'
            cand --no-check 'Do not decode each block a core made to check it before writing (for trusted cores; the reference engine is never checked)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'h4;decompress'= {
            cand -o 'Write the output to FILE (''-'' for standard output)'
            cand --output 'Write the output to FILE (''-'' for standard output)'
            cand --core 'Use the core library at PATH (a failure to load it is an error)'
            cand --engine 'Use a built-in engine, ignoring HARMONY4_CORE_PATH'
            cand -T 'Worker threads (0: one per CPU)'
            cand --threads 'Worker threads (0: one per CPU)'
            cand --range 'Write only content bytes START to END-1 (END omitted: to the end), decoding only the blocks that hold them; needs -c or -o'
            cand -c 'Write to standard output, keeping the input files'
            cand --stdout 'Write to standard output, keeping the input files'
            cand -f 'Overwrite existing outputs; allow compressed data on a terminal'
            cand --force 'Overwrite existing outputs; allow compressed data on a terminal'
            cand -k 'Keep input files (the default)'
            cand --keep 'Keep input files (the default)'
            cand --rm 'Remove each input file once its output is completely written and synced'
            cand --raw 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)'
            cand --isolate 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'Print a summary line per file'
            cand --verbose 'Print a summary line per file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'h4;test'= {
            cand --core 'Use the core library at PATH (a failure to load it is an error)'
            cand --engine 'Use a built-in engine, ignoring HARMONY4_CORE_PATH'
            cand -T 'Worker threads (0: one per CPU)'
            cand --threads 'Worker threads (0: one per CPU)'
            cand --isolate 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'Print a summary line per file'
            cand --verbose 'Print a summary line per file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'h4;info'= {
            cand --json 'Print JSON instead of a table'
            cand --blocks 'Also list every block: where it lies in the file and in the content'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'h4;verify'= {
            cand --core 'Use the core library at PATH (a failure to load it is an error)'
            cand --engine 'Use a built-in engine, ignoring HARMONY4_CORE_PATH'
            cand --iterations 'Calls per input in the determinism check'
            cand --fuzz 'Corrupted payloads to feed the decoder in the robustness check'
            cand -T 'Threads for the concurrency checks'
            cand --threads 'Threads for the concurrency checks'
            cand --timeout 'Seconds a check may go without progress before it counts as hung'
            cand --memcheck 'Also run every check under valgrind (when installed)'
            cand --json 'Print JSON instead of a table'
            cand -q 'Print only failures'
            cand --quiet 'Print only failures'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'h4;bench'= {
            cand --core 'Measure the core library at PATH (repeatable)'
            cand --engine 'Measure a built-in engine (repeatable)'
            cand -T 'Threads for the whole-pipeline runs (0: one per CPU)'
            cand --threads 'Threads for the whole-pipeline runs (0: one per CPU)'
            cand -i 'Runs of each measurement (the median is reported)'
            cand --iterations 'Runs of each measurement (the median is reported)'
            cand -B 'Block size [default: each engine''s preference, else 1M]'
            cand --block-size 'Block size [default: each engine''s preference, else 1M]'
            cand --no-check 'Measure cores without the compress-time round-trip check'
            cand --json 'Print JSON: one record per engine and input'
            cand -q 'No progress bar'
            cand --quiet 'No progress bar'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'h4;generate'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'h4;__verify-check'= {
            cand --core 'Use the core library at PATH (a failure to load it is an error)'
            cand --engine 'Use a built-in engine, ignoring HARMONY4_CORE_PATH'
            cand --iterations 'iterations'
            cand --fuzz 'fuzz'
            cand --threads 'threads'
            cand --under-valgrind 'under-valgrind'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'h4;__core-helper'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'h4;help'= {
            cand compress 'Compress FILEs to FILE.h4 (or stdin to stdout)'
            cand decompress 'Decompress FILE.h4 to FILE (or stdin to stdout)'
            cand test 'Check the integrity of .h4 files without writing anything'
            cand info 'Show how .h4 files were made: engine, block size, blocks, sizes, ratio'
            cand verify 'Check that an engine or core is deterministic, lossless, robust, leak-free and thread-safe'
            cand bench 'Measure compression ratio and speed of engines and cores'
            cand generate 'Write the man pages and shell completions into DIR/man and DIR/completions (for packagers; the repository has them committed)'
            cand __verify-check '(internal) Run one verify check; used by `h4 verify`'
            cand __core-helper '(internal) Serve calls of a core in a sandbox; used by --isolate'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'h4;help;compress'= {
        }
        &'h4;help;decompress'= {
        }
        &'h4;help;test'= {
        }
        &'h4;help;info'= {
        }
        &'h4;help;verify'= {
        }
        &'h4;help;bench'= {
        }
        &'h4;help;generate'= {
        }
        &'h4;help;__verify-check'= {
        }
        &'h4;help;__core-helper'= {
        }
        &'h4;help;help'= {
        }
    ]
    $completions[$command]
}
