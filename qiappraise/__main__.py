from qiappraise.cli import main

main()
