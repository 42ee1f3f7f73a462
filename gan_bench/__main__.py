from gan_bench.cli import main

main()
