def get_requirements(filename):
parser.add_argument('-r', '--requirement', help='Optionally specify a different requirements.txt file.', required=False)
    install_requires = get_requirements(os.path.join('requirements', 'requirements.txt'))
    install_requires = get_requirements(args.requirement)
        'dev': get_requirements(os.path.join('requirements', 'requirements.dev.txt'))
    install_requires=install_requires,
