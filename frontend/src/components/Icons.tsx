// Media-control icons as inline SVG: crisp at any size, no icon font to load.
type IconProps = { size?: number };

const svgProps = (size: number) => ({
  width: size,
  height: size,
  viewBox: "0 0 24 24",
  fill: "currentColor",
  "aria-hidden": true,
});

export const PlayIcon = ({ size = 18 }: IconProps) => (
  <svg {...svgProps(size)}>
    <path d="M7 4.5v15a1 1 0 0 0 1.5.86l12.5-7.5a1 1 0 0 0 0-1.72L8.5 3.64A1 1 0 0 0 7 4.5z" />
  </svg>
);

export const PauseIcon = ({ size = 18 }: IconProps) => (
  <svg {...svgProps(size)}>
    <rect x="6" y="4" width="4" height="16" rx="1" />
    <rect x="14" y="4" width="4" height="16" rx="1" />
  </svg>
);

export const StepForwardIcon = ({ size = 18 }: IconProps) => (
  <svg {...svgProps(size)}>
    <path d="M5 5.5v13a1 1 0 0 0 1.55.83l9.5-6.5a1 1 0 0 0 0-1.66l-9.5-6.5A1 1 0 0 0 5 5.5z" />
    <rect x="17" y="5" width="2.5" height="14" rx="1" />
  </svg>
);

export const StepBackIcon = ({ size = 18 }: IconProps) => (
  <svg {...svgProps(size)} style={{ transform: "scaleX(-1)" }}>
    <path d="M5 5.5v13a1 1 0 0 0 1.55.83l9.5-6.5a1 1 0 0 0 0-1.66l-9.5-6.5A1 1 0 0 0 5 5.5z" />
    <rect x="17" y="5" width="2.5" height="14" rx="1" />
  </svg>
);
